#!/usr/bin/env bash
# Load test of two `lore serve` replicas on one PostgreSQL store, on
# loopback with hey (Debian: apt-get install hey): POST /v1/check (a deny
# with its briefing) from CONCURRENCY clients in all, half on each replica,
# the load generator on the same cores. Reports each replica's and the
# total throughput and the worst p99, then counts the shared log: every
# answered check must be there exactly once.
#
#   LORE_STORE_URL=postgres://… scripts/load-replicas.sh [REQUESTS] [CONCURRENCY]
#
# Without LORE_STORE_URL it starts a throwaway PostgreSQL with
# scripts/pg-test-server.sh (root, or a user that may run initdb).
# LORE_BIN measures that binary instead of building one.
# REQUESTS and CONCURRENCY default to 20000 and 50; LORE_LOAD_INPUT is the
# command checked (default: a deny with its briefing).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hey >/dev/null || { echo "hey is not installed (apt-get install hey)" >&2; exit 1; }
REQUESTS=${1:-20000}
CONCURRENCY=${2:-50}

[ -n "${LORE_BIN:-}" ] || cargo build --release --locked -q -p lore-cli
LORE=${LORE_BIN:-$PWD/target/release/lore}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  if [ -n "${PG_DIR:-}" ]; then
    BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    RUN=(); [ "$(id -u)" = 0 ] && RUN=(runuser -u postgres --)
    "${RUN[@]}" "$BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

if [ -z "${LORE_STORE_URL:-}" ]; then
  PG_DIR="$WORK/pg"
  LORE_STORE_URL=$(scripts/pg-test-server.sh "$PG_DIR" $((40000 + RANDOM % 20000)))
fi
export LORE_STORE_URL
DB="lore_load_$(date +%s)"
psql "$LORE_STORE_URL" -qc "CREATE DATABASE $DB" >/dev/null
export LORE_STORE_URL="${LORE_STORE_URL%/*}/$DB"

cp -r examples/acme "$WORK/acme"
rm -rf "$WORK/acme/.lore"
SECRET="load-test-secret-$(date +%s%N)"
printf '[[token]]\nsecret = "%s"\nagent = "load-test"\nteam = "platform"\n' "$SECRET" > "$WORK/tokens.toml"
"$LORE" -q build --knowledge "$WORK/acme"
BASES=()
for name in a b; do
  PORT=$((20000 + RANDOM % 20000))
  LORE_LOG="$WORK/$name.db" "$LORE" -q serve --addr "127.0.0.1:$PORT" --knowledge "$WORK/acme" \
    --tokens "$WORK/tokens.toml" 2>"$WORK/$name.stderr" &
  PIDS+=($!)
  BASES+=("http://127.0.0.1:$PORT")
done
for base in "${BASES[@]}"; do
  for _ in $(seq 100); do curl -sf "$base/readyz" >/dev/null && break; sleep 0.1; done
  curl -sf "$base/readyz" >/dev/null || { echo "a replica did not become ready" >&2; exit 1; }
done

count() { psql "$LORE_STORE_URL" -qtAc "select count(*) from decisions"; }
INPUT=${LORE_LOAD_INPUT:-kubectl --context prod-eu-1 delete namespace payments}
printf '{"input":"%s","session":"load"}' "$INPUT" > "$WORK/check.json"
before=$(count)
echo "== two replicas on one PostgreSQL: POST /v1/check ($INPUT), $REQUESTS requests, $CONCURRENCY clients in all"
for i in 0 1; do
  hey -n $((REQUESTS / 2)) -c $((CONCURRENCY / 2)) -m POST -T application/json -H "Authorization: Bearer $SECRET" \
    -D "$WORK/check.json" "${BASES[$i]}/v1/check" > "$WORK/hey-$i.txt" &
  HEY[i]=$!
done
wait "${HEY[0]}" "${HEY[1]}"
total=0; answered=0; worst=0
for i in 0 1; do
  out="$WORK/hey-$i.txt"
  rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$out")
  p50=$(awk '/  50% in/ {printf "%.2f", $3*1000}' "$out")
  p99=$(awk '/  99% in/ {printf "%.2f", $3*1000}' "$out")
  ok=$(awk '/^  \[200\]/ {print $2}' "$out"); ok=${ok:-0}
  echo "replica $i: $rps req/s, p50 $p50 ms, p99 $p99 ms, $ok answered 200"
  total=$((total + rps)); answered=$((answered + ok))
  worst=$(python3 -c "print(max($worst, $p99))")
done
logged=$(( $(count) - before ))
echo "in all: $total req/s, worst p99 $worst ms, $answered answered, $logged logged in the shared store"
if [ "$logged" -ne "$answered" ]; then
  echo "FAIL: $answered checks answered but $logged decisions logged" >&2
  exit 1
fi
