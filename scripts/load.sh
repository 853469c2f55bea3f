#!/usr/bin/env bash
# Load test of `lore serve` on loopback with hey (Debian: apt-get install hey):
# check_action under 50 concurrent clients, over the HTTP API (/v1/check) and
# over MCP (tools/call check_action at /mcp), with a bearer token. Reports
# throughput, p50/p99 latency and the server's CPU time per check (utime +
# stime: a noisy machine moves it less than throughput), then counts the
# decision log: every answered check must have exactly one record.
#
#   scripts/load.sh [REQUESTS] [CONCURRENCY]     default 20000 50
#   (LORE_BIN=path/to/lore measures that binary instead of building one)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hey >/dev/null || { echo "hey is not installed (apt-get install hey)" >&2; exit 1; }
REQUESTS=${1:-20000}
CONCURRENCY=${2:-50}

[ -n "${LORE_BIN:-}" ] || cargo build --release --locked -q
LORE=${LORE_BIN:-$PWD/target/release/lore}
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

cp -r examples/acme "$WORK/acme"
rm -rf "$WORK/acme/.lore"
LOG="$WORK/decisions.db"
printf '\n[gate]\nlog = "%s"\n' "$LOG" >> "$WORK/acme/lore.toml"
SECRET="load-test-secret-$(date +%s%N)"
printf '[[token]]\nsecret = "%s"\nagent = "load-test"\nteam = "platform"\n' "$SECRET" > "$WORK/tokens.toml"
PORT=$((20000 + RANDOM % 20000))
BASE="http://127.0.0.1:$PORT"
"$LORE" -q serve --addr "127.0.0.1:$PORT" --knowledge "$WORK/acme" --tokens "$WORK/tokens.toml" &
SERVER=$!
for _ in $(seq 100); do curl -sf "$BASE/readyz" >/dev/null && break; sleep 0.1; done
curl -sf "$BASE/readyz" >/dev/null || { echo "lore serve did not become ready" >&2; exit 1; }

count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("select count(*) from decisions").fetchone()[0])' "$LOG"; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$SERVER/stat"; }
report() { # name, hey output file, records before, server CPU ticks before
  local name=$1 out=$2 before=$3 ticks=$4 after ok
  after=$(count)
  ok=$(awk '/^  \[200\]/ {print $2}' "$out")
  ok=${ok:-0}
  printf '%s: %s req/s, p50 %s ms, p99 %s ms, %s µs server CPU per check, %s answered 200, %s logged\n' "$name" \
    "$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$out")" \
    "$(awk '/  50% in/ {printf "%.2f", $3*1000}' "$out")" \
    "$(awk '/  99% in/ {printf "%.2f", $3*1000}' "$out")" \
    "$(( ($(cpu_ticks) - ticks) * 1000000 / $(getconf CLK_TCK) / (ok > 0 ? ok : 1) ))" \
    "$ok" "$((after - before))"
  if [ "$((after - before))" -ne "$ok" ]; then
    echo "FAIL: $ok checks answered but $((after - before)) decisions logged" >&2
    cat "$out" >&2
    exit 1
  fi
}

echo "== HTTP API: POST /v1/check, $REQUESTS requests, $CONCURRENCY concurrent"
printf '{"input":"kubectl --context prod-eu-1 delete namespace payments","session":"load"}' > "$WORK/check.json"
before=$(count) ticks=$(cpu_ticks)
hey -n "$REQUESTS" -c "$CONCURRENCY" -m POST -T application/json -H "Authorization: Bearer $SECRET" \
  -D "$WORK/check.json" "$BASE/v1/check" > "$WORK/http.txt"
report "HTTP /v1/check (deny)" "$WORK/http.txt" "$before" "$ticks"

# Stateless MCP (protocol 2026-07-28): every POST stands alone, as it does
# for many clients at once. (One legacy session shared by 50 workers would
# repeat one JSON-RPC id, which no real client does.)
echo "== MCP: tools/call check_action, $REQUESTS requests, $CONCURRENCY concurrent"
printf '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"check_action","arguments":{"input":"kubectl --context prod-eu-1 delete namespace payments"},"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientInfo":{"name":"load","version":"1"},"io.modelcontextprotocol/clientCapabilities":{}}}}' > "$WORK/mcp.json"
MCP_HEADERS=(-H "Authorization: Bearer $SECRET" -H "MCP-Protocol-Version: 2026-07-28" -H "Mcp-Method: tools/call" -H "Mcp-Name: check_action")
curl -s "${MCP_HEADERS[@]}" -H "Content-Type: application/json" -H "Accept: application/json, text/event-stream" \
  -X POST "$BASE/mcp" -d @"$WORK/mcp.json" | grep -q '"decision":"deny"' || { echo "FAIL: the MCP check did not deny" >&2; exit 1; }
before=$(count) ticks=$(cpu_ticks)
hey -n "$REQUESTS" -c "$CONCURRENCY" -m POST -T application/json -A "application/json, text/event-stream" \
  "${MCP_HEADERS[@]}" -D "$WORK/mcp.json" "$BASE/mcp" > "$WORK/mcp.txt"
report "MCP check_action (deny)" "$WORK/mcp.txt" "$before" "$ticks"
curl -sf "$BASE/healthz" >/dev/null && echo "server still healthy; $(count) decisions in the log"
