#!/usr/bin/env bash
# Starts (or stops) a private PostgreSQL cluster for the tests: its own data directory and port, trust auth on
# loopback only, owned by the postgres system user (PostgreSQL refuses to run as root).
#   tests/pg.sh start   → prints the URL to use with --db
#   tests/pg.sh stop
#   tests/pg.sh url     → prints the URL
#   tests/pg.sh newdb NAME → creates (or re-creates) database NAME, prints its URL
set -euo pipefail
PORT=${FG_PG_PORT:-54329}
DIR=${FG_PG_DIR:-/tmp/fieldgrid-pg-$PORT}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
url() { echo "postgresql://postgres@127.0.0.1:$PORT/${1:-fieldgrid_test}"; }

case "${1:-}" in
start)
  if ! as_pg "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
      as_pg "$BIN/initdb" -D "$DIR" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    fi
    as_pg "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 \
      -o "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
  fi
  as_pg "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atqc \
    "SELECT 1 FROM pg_database WHERE datname = 'fieldgrid_test'" | grep -q 1 ||
    as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres fieldgrid_test
  url
  ;;
newdb)
  NAME=${2:?database name}
  as_pg "$BIN/dropdb" -h 127.0.0.1 -p "$PORT" -U postgres --if-exists "$NAME"
  as_pg "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres "$NAME"
  url "$NAME"
  ;;
stop)
  as_pg "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null 2>&1 || true
  ;;
url) url ;;
*) echo "usage: $0 start|stop|url|newdb NAME" >&2; exit 2 ;;
esac
