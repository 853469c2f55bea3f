#!/usr/bin/env bash
# Whole-process benchmarks with hyperfine: what a user or an agent hook pays
# per call, from process start to answer. Writes a Markdown table per run to
# target/bench/. Needs hyperfine (Debian: apt-get install hyperfine) and, for
# the corpora runs, ../shared/corpora.
#
#   scripts/bench.sh            all benchmarks
#   scripts/bench-hook.sh       the hook beside the cost of starting a process, and its peak memory
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }

cargo build --release --locked -q
LORE="$PWD/target/release/lore"
OUT=target/bench
mkdir -p "$OUT"
export XDG_CACHE_HOME="$PWD/target/bench/cache"   # the example pack lives here, not in ~
run() { local name=$1; shift; hyperfine -N --warmup 5 --export-markdown "$OUT/$name.md" "$@"; }
# With a shell, for stdin redirects; hyperfine subtracts the shell's own start-up.
run_shell() { local name=$1; shift; hyperfine --warmup 10 --export-markdown "$OUT/$name.md" --export-json "$OUT/$name.json" "$@"; }
# Hook targets are set on the median.
medians() {
  python3 -c 'import json,sys
for r in json.load(open(sys.argv[1]))["results"]:
    t = sorted(r["times"]); print("  median %.2f ms  p90 %.2f ms  %s" % (r["median"]*1e3, t[int(len(t)*0.9)]*1e3, r["command"]))' "$1"
}

echo "== example knowledge: per-command cost (pack already built)"
"$LORE" -q build >/dev/null 2>&1 || "$LORE" -q systems >/dev/null
run example-queries \
  -n "brief payments-db" "$LORE -q brief payments-db" \
  -n "blast ledger-db" "$LORE -q blast ledger-db" \
  -n "ask (search)" "$LORE -q ask 'how do I fail over the payments database'" \
  -n "systems --json" "$LORE -q systems --json"

echo "== hook: a Claude Code PreToolUse payload, process start to decision printed"
export LORE_LOG="$PWD/target/bench/decisions.db"
PAYLOADS="$PWD/target/bench/payloads"
mkdir -p "$PAYLOADS"
claude_payload() { printf '{"session_id":"bench","cwd":"%s","hook_event_name":"PreToolUse","tool_name":"Bash","tool_input":{"command":"%s"}}' "$PWD" "$1"; }
claude_payload "kubectl --context prod-eu-1 delete ns payments" > "$PAYLOADS/deny.json"
claude_payload "git status" > "$PAYLOADS/read.json"
claude_payload "redis-cli -h redis-01-db-gprd monitor" > "$PAYLOADS/advisory.json"
ACME="$PWD/examples/acme"
"$LORE" -q -k "$ACME" build >/dev/null
run_shell hook-example --runs 300 \
  -n "hook claude-code: deny (example)" "$LORE -k $ACME hook claude-code < $PAYLOADS/deny.json" \
  -n "hook claude-code: read (example)" "$LORE -k $ACME hook claude-code < $PAYLOADS/read.json"
medians "$OUT/hook-example.json"

# Side by side, with and without a shared store configured. An allow never
# asks the store; an ask or a deny looks up approvals there (at most 200 ms).
if [ -n "${LORE_BENCH_STORE_URL:-}" ]; then
  echo "== hook with a shared store configured (LORE_BENCH_STORE_URL), side by side"
  run_shell hook-store --runs 300 \
    -n "read, no store" "LORE_STORE_URL= $LORE -k $ACME hook claude-code < $PAYLOADS/read.json" \
    -n "read, store set" "LORE_STORE_URL=$LORE_BENCH_STORE_URL $LORE -k $ACME hook claude-code < $PAYLOADS/read.json" \
    -n "deny, no store" "LORE_STORE_URL= $LORE -k $ACME hook claude-code < $PAYLOADS/deny.json" \
    -n "deny, store set" "LORE_STORE_URL=$LORE_BENCH_STORE_URL $LORE -k $ACME hook claude-code < $PAYLOADS/deny.json"
  medians "$OUT/hook-store.json"
else
  echo "skipping the hook-with-a-store benchmark: set LORE_BENCH_STORE_URL to a PostgreSQL URL"
fi

if [ -d ../shared/corpora ]; then
  echo "== all corpora: build and query"
  CORPORA="$PWD/bench/corpora"
  run corpora-build --runs 10 \
    --prepare "rm -rf $CORPORA/.lore" \
    -n "cold build (all corpora)" "$LORE -q -k $CORPORA build"
  "$LORE" -q -k "$CORPORA" build >/dev/null
  run_shell hook-corpora --runs 300 \
    -n "hook claude-code: deny (corpora)" "$LORE -k $CORPORA hook claude-code < $PAYLOADS/deny.json" \
    -n "hook claude-code: read (corpora)" "$LORE -k $CORPORA hook claude-code < $PAYLOADS/read.json" \
    -n "hook claude-code: advisory warn (corpora)" "$LORE -k $CORPORA hook claude-code < $PAYLOADS/advisory.json"
  medians "$OUT/hook-corpora.json"
  run corpora-queries \
    -n "brief patroni" "$LORE -q -k $CORPORA brief patroni" \
    -n "blast gitaly" "$LORE -q -k $CORPORA blast gitaly" \
    -n "ask (search)" "$LORE -q -k $CORPORA ask 'how do I fail over the patroni primary'" \
    -n "lint" "$LORE -q -k $CORPORA lint --fail-on never" \
    -n "advisories --json" "$LORE -q -k $CORPORA advisories --json"

  echo "== incremental rebuild after one file changes (a writable copy of the GitLab runbooks)"
  COPY=$(mktemp -d)
  trap 'rm -rf "$COPY"' EXIT
  cp -r ../shared/corpora/gitlab-runbooks "$COPY/"
  chmod -R u+w "$COPY"
  printf '[[source]]\npath = "gitlab-runbooks/docs"\nkind = "markdown"\n[[source]]\npath = "gitlab-runbooks/services/service-catalog.yml"\n' > "$COPY/lore.toml"
  "$LORE" -q -k "$COPY" build >/dev/null
  run incremental --runs 20 \
    --prepare "echo 'edited' >> $COPY/gitlab-runbooks/docs/redis/redis.md" \
    -n "rebuild after editing one runbook" "$LORE -q -k $COPY build"
  run unchanged --runs 20 -n "rebuild with nothing changed" "$LORE -q -k $COPY build"
else
  echo "skipping corpora benchmarks: ../shared/corpora not found"
fi
echo "tables in $OUT/"
