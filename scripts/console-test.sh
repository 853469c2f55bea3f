#!/usr/bin/env bash
# The web console's tests in a real browser: Debian's chromium, headless,
# driven by playwright-core (npm, pinned in crates/lore-server/tests/console)
# against a running `lore serve` with reader, agent and approver tokens, on
# the pooled corpora (../shared/corpora) with the built-in example beside
# them; on the example alone when the corpora are absent. Screenshots of
# every view at 1280×800 and 390×844 land in target/console-screenshots/.
#
#   scripts/console-test.sh LORE_BINARY
#
# Needs node and npm, and chromium (apt-get install chromium).
set -euo pipefail
cd "$(dirname "$0")/.."
lore=$(realpath "${1:?usage: scripts/console-test.sh LORE_BINARY}")
tests=crates/lore-server/tests/console
command -v node >/dev/null || { echo "console tests: node is not installed" >&2; exit 1; }
chromium=${CHROMIUM:-/usr/bin/chromium}
[ -x "$chromium" ] || { echo "console tests: no chromium at $chromium (apt-get install chromium)" >&2; exit 1; }
[ -d "$tests/node_modules/playwright-core" ] || (cd "$tests" && npm ci --no-audit --no-fund --silent)

work=$(mktemp -d /tmp/lore-console.XXXXXX)
server=
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

knowledge="$work/knowledge"
mkdir -p "$knowledge"
cp -r examples/acme "$knowledge/acme"
if [ -d ../shared/corpora ]; then
  sed "s#\.\./\.\./\.\./shared#$(cd .. && pwd)/shared#" bench/corpora/lore.toml >"$knowledge/lore.toml"
  printf '\n[[source]]\npath = "acme"\n' >>"$knowledge/lore.toml"
  # GitLab's Gitaly: many systems depend on it, through declared edges.
  system=gitaly
else
  echo "console tests: ../shared/corpora not found; the graph is the built-in example's"
  rm -rf "$knowledge" && cp -r examples/acme "$knowledge"
  system=payments-db
fi
secret() { head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
reader=$(secret) agent=$(secret) approver=$(secret)
cat >"$work/tokens.toml" <<TOKENS
[[token]]
secret = "$reader"
agent = "rita"
role = "reader"

[[token]]
secret = "$agent"
agent = "console-test-agent"
role = "agent"

[[token]]
secret = "$approver"
agent = "alice"
role = "approver"
TOKENS
"$lore" -q -k "$knowledge" build 2>/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
"$lore" -q -k "$knowledge" serve --addr "127.0.0.1:$port" --tokens "$work/tokens.toml" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

status=0
(cd "$tests" && LORE_URL="$base" LORE_BIN="$lore" LORE_KNOWLEDGE="$knowledge" LORE_GRAPH_SYSTEM="$system" \
  LORE_READER_TOKEN="$reader" LORE_AGENT_TOKEN="$agent" LORE_APPROVER_TOKEN="$approver" \
  LORE_SCREENSHOTS="$PWD/../../../../target/console-screenshots" CHROMIUM="$chromium" \
  node --test --test-concurrency=1 console.test.mjs) || status=$?
if [ "$status" != 0 ]; then
  echo "== lore serve's log" >&2
  tail -50 "$work/serve.log" >&2
fi
exit "$status"
