#!/usr/bin/env bash
# Runs lore's fuzz targets (docs/fuzzing.md). Needs a nightly toolchain and
# cargo-fuzz; without them it says so and exits 0, so CI never fails for
# lack of nightly.
#
#   fuzz/run.sh smoke [SECONDS]            every target, SECONDS each (default 30)
#   fuzz/run.sh run TARGET SECONDS [JOBS]  one target, JOBS processes (default 1)
#   fuzz/run.sh list                       the targets
#
# Seeds are written to fuzz/corpus/ by fuzz/seeds.py on first use; findings
# land in fuzz/artifacts/<target>/ and fail the run. The smoke uses a fixed
# libFuzzer seed (LORE_FUZZ_SEED, default 1) so a CI finding repeats on
# another machine, and prints each finding in base64 so it can be rebuilt
# from the log alone.
set -euo pipefail
cd "$(dirname "$0")"

TARGETS=(shell sql yaml markdown plan manifest hook_payload structured config http_body)
# Inputs longer than seeds get are not tried: 64 KiB is larger than any
# command, payload or document section lore is meant to read in one go.
MAX_LEN=65536

dictionary() {
  case "$1" in
    shell) echo dict/shell.dict ;;
    sql) echo dict/sql.dict ;;
    yaml | manifest) echo dict/yaml.dict ;;
    markdown) echo dict/markdown.dict ;;
    config) echo dict/toml.dict ;;
    *) echo dict/json.dict ;;
  esac
}

have_nightly() {
  if ! cargo +nightly --version >/dev/null 2>&1; then
    echo "fuzz: skipped: no nightly toolchain (rustup toolchain install nightly)"
    return 1
  fi
  if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz from crates.io"
    cargo install cargo-fuzz --locked --quiet || {
      echo "fuzz: skipped: cargo-fuzz did not install"
      return 1
    }
  fi
}

seeds() {
  [ -d "corpus/$1" ] || python3 seeds.py
  mkdir -p "corpus/$1"
}

# One target for $2 seconds on $3 processes. libFuzzer's own -timeout is a
# backstop for hangs; the 50 ms budget is asserted inside each target.
run_target() {
  local target=$1 seconds=$2 jobs=${3:-1}
  shift 3 || shift $#
  seeds "$target"
  local extra=("$@")
  if [ "$jobs" -gt 1 ]; then extra+=(-fork="$jobs" -ignore_crashes=0); fi
  cargo +nightly fuzz run -s none "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -max_len="$MAX_LEN" -dict="$(dictionary "$target")" \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}"
}

case "${1:-smoke}" in
  list) printf '%s\n' "${TARGETS[@]}" ;;
  smoke)
    have_nightly || exit 0
    seconds=${2:-30}
    cargo +nightly fuzz build -s none
    failed=()
    for target in "${TARGETS[@]}"; do
      echo "== fuzz $target (${seconds}s)"
      log="logs/$target.log"
      mkdir -p logs
      if ! run_target "$target" "$seconds" 1 -seed="${LORE_FUZZ_SEED:-1}" >"$log" 2>&1; then
        failed+=("$target")
      fi
      grep -E '^(INFO: (Loaded|seed corpus)|#[0-9]+ *DONE|stat::|==[0-9]+== ERROR|SUMMARY|thread .* panicked)|over the (time|memory) budget' "$log" || true
    done
    for target in "${failed[@]}"; do
      for artifact in artifacts/"$target"/*; do
        [ -f "$artifact" ] || continue
        echo "== finding $artifact ($(wc -c <"$artifact") bytes), base64:"
        head -c 4096 "$artifact" | base64 -w 0
        echo
      done
    done
    if [ ${#failed[@]} -gt 0 ]; then
      echo "fuzz: findings in: ${failed[*]} (see fuzz/artifacts/)" >&2
      exit 1
    fi
    echo "fuzz: ${#TARGETS[@]} targets, ${seconds}s each, no findings"
    ;;
  run)
    have_nightly || exit 0
    run_target "${2:?target}" "${3:?seconds}" "${4:-1}"
    ;;
  *)
    echo "usage: fuzz/run.sh smoke [SECONDS] | run TARGET SECONDS [JOBS] | list" >&2
    exit 2
    ;;
esac
