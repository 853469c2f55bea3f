#!/usr/bin/env bash
# The hook's cost beside the cost of starting a process, in one hyperfine
# run: `cat` of the payload, `lore --version`, and `lore hook claude-code`
# on allow and deny (full briefing), on the example and on the pooled
# corpora pack; then each hook call's peak memory. Medians are what the
# targets are set on (docs/performance.md).
#
#   scripts/bench-hook.sh                 this checkout's build for hooks (scripts/build-release.sh)
#   LORE_BIN=/path/to/lore scripts/bench-hook.sh
#   LORE_BASELINE=/path/to/old/lore scripts/bench-hook.sh   adds the old build, side by side
#
# Needs hyperfine (apt-get install hyperfine); the corpora rows need ../shared/corpora.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }
RUNS=${RUNS:-300}
[ -n "${LORE_BIN:-}" ] || LORE_BIN=$(scripts/build-release.sh)
OUT=target/bench
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
export XDG_CACHE_HOME="$WORK/cache" LORE_LOG="$WORK/decisions.db"

payload() { printf '{"session_id":"bench","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"%s"}}' "$PWD" "$1" > "$WORK/$2.json"; }
payload "git status" allow
payload "kubectl --context prod-eu-1 delete ns payments" deny
payload "kubectl -n monitoring delete sts/thanos-store-0" ask

# Each binary gets its own copy of the knowledge: packs of two builds may differ in layout.
knowledge() {
  local name=$1 dir="$WORK/k/$1"
  mkdir -p "$dir"
  cp -r examples/acme "$dir/acme"
  if [ -d ../shared/corpora ]; then
    sed "s#\.\./\.\./\.\./shared#$(cd .. && pwd)/shared#" bench/corpora/lore.toml > "$dir/lore.toml"
  fi
  echo "$dir"
}

commands=(-n "cat (process start)" "cat < $WORK/allow.json" -n "lore --version" "$LORE_BIN --version < $WORK/allow.json")
add_binary() {
  local label=$1 bin=$2 dir
  dir=$(knowledge "$label")
  "$bin" -q -k "$dir/acme" build >/dev/null
  commands+=(-n "$label: allow, example" "$bin -k $dir/acme hook claude-code < $WORK/allow.json"
             -n "$label: deny, example" "$bin -k $dir/acme hook claude-code < $WORK/deny.json")
  if [ -f "$dir/lore.toml" ]; then
    "$bin" -q -k "$dir" build >/dev/null 2>&1
    commands+=(-n "$label: allow, corpora" "$bin -k $dir hook claude-code < $WORK/allow.json"
               -n "$label: deny, corpora" "$bin -k $dir hook claude-code < $WORK/deny.json"
               -n "$label: ask, corpora (runbook search)" "$bin -k $dir hook claude-code < $WORK/ask.json")
  fi
}
add_binary lore "$LORE_BIN"
[ -n "${LORE_BASELINE:-}" ] && add_binary baseline "$LORE_BASELINE"
[ -d ../shared/corpora ] || echo "skipping the corpora rows: ../shared/corpora not found"

hyperfine --warmup 20 --runs "$RUNS" --export-json "$OUT/hook.json" --export-markdown "$OUT/hook.md" "${commands[@]}" >/dev/null
python3 - "$OUT/hook.json" <<'EOF'
import json, sys
results = json.load(open(sys.argv[1]))["results"]
cat = results[0]["median"]
for r in results:
    print("  median %6.2f ms  %4.2f× cat  %s" % (r["median"] * 1e3, r["median"] / cat, r["command"]))
EOF

echo "peak memory (max RSS) of one hook call:"
for dir in "$WORK"/k/*; do
  [ -f "$dir/lore.toml" ] || continue
  bin=$LORE_BIN; [ "$(basename "$dir")" = baseline ] && bin=$LORE_BASELINE
  for p in allow deny ask; do
    /usr/bin/time -f "  %M KB  $(basename "$dir"): $p, corpora" "$bin" -k "$dir" hook claude-code < "$WORK/$p.json" 2>&1 >/dev/null | tail -1
  done
done
echo "tables in $OUT/hook.md"
