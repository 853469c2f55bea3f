#!/usr/bin/env bash
# Starts a throwaway PostgreSQL for the store tests on a loopback port and
# prints its URL. Usage: scripts/pg-test-server.sh [DIR] [PORT]
# Local socket connections are trusted; TCP needs the password (lore-test),
# so the tests can also try a wrong one. Stop it with: pg_ctl -D DIR/data stop
set -euo pipefail
DIR=${1:-$(mktemp -d /tmp/lore-pg.XXXXXX)}
PORT=${2:-55432}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
mkdir -p "$DIR"
RUN=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
  chown postgres "$DIR"
  RUN=(runuser -u postgres --)
fi
"${RUN[@]}" "$BIN/initdb" -D "$DIR/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 >/dev/null
"${RUN[@]}" "$BIN/pg_ctl" -D "$DIR/data" -l "$DIR/log" -w \
  -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300" start >/dev/null
"${RUN[@]}" "$BIN/psql" -h "$DIR" -p "$PORT" -U postgres -q -c "ALTER USER postgres PASSWORD 'lore-test'" >/dev/null
echo "postgres://postgres:lore-test@127.0.0.1:$PORT/postgres"
