#!/usr/bin/env bash
# Runs the API (and optionally browser) tests against a fresh fieldgrid server.
#   tests/run-suite.sh BINARY sqlite|pg [api|ocpp|browser|edge|all]   (api includes the OCPP tests, tests/ocpp;
#   edge is the heavy HTTP-edge suite, tests/edge, which "all" leaves out)
# Creates a fresh database (with the demo company), serves it on a free port, runs node:test, stops the server
# with SIGTERM (which must exit 0: a clean stop), then checks the audit chain the tests wrote is intact.
set -uo pipefail
BIN=${1:?binary}
DB=${2:?sqlite|pg}
WHAT=${3:-all}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
TAG=$(basename "$(dirname "$BIN")")-$DB
WORK=$(mktemp -d /tmp/fieldgrid-suite-XXXXXX)
LOG=$WORK/server.log
PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
export FG_URL=http://127.0.0.1:$PORT FG_DB=$DB FG_ADMIN_PASSWORD=Admin-$RANDOM-pass1 FG_DEMO_PASSWORD=Demo-$RANDOM-pass1
export FIELDGRID_ADMIN_PASSWORD=$FG_ADMIN_PASSWORD FIELDGRID_DEMO_PASSWORD=$FG_DEMO_PASSWORD
DBARGS=()
if [ "$DB" = pg ]; then
  DBNAME=fg_$(echo "$TAG" | tr -c 'a-z0-9\n' '_')
  tests/pg.sh start >/dev/null || { echo "FAIL: cannot start PostgreSQL"; exit 1; }
  PGURL=$(tests/pg.sh newdb "$DBNAME" 2>"$WORK/pg.log")
  # never fall back to SQLite silently: a "pg" run that is not on PostgreSQL proves nothing
  case "$PGURL" in postgresql://*) ;; *) echo "FAIL: no PostgreSQL database for the suite"; cat "$WORK/pg.log"; exit 1 ;; esac
  DBARGS=(--db "$PGURL")
  export FG_DB_URL=$PGURL
else
  export FG_DB_URL=$WORK/data/fieldgrid.db
fi
# FG_DB_URL lets a test play the attacker who edits the database behind the server's back (signatures, audit)
fail=0
"$BIN" init --data "$WORK/data" "${DBARGS[@]}" >"$WORK/init.log" 2>&1 || { cat "$WORK/init.log"; exit 1; }
"$BIN" demo --data "$WORK/data" "${DBARGS[@]}" >>"$WORK/init.log" 2>&1 || { cat "$WORK/init.log"; exit 1; }
# the OCPP liveness test (tests/ocpp/liveness.test.mjs) needs short ping and idle timers
export FG_OCPP_PING_S=${FG_OCPP_PING_S:-2} FG_OCPP_IDLE_S=${FG_OCPP_IDLE_S:-8}
# the events test (tests/ocpp/events.test.mjs) watches failed deliveries retried and parked: seconds, not minutes
export FG_EVENTS_RETRY_S=${FG_EVENTS_RETRY_S:-1}
# the edge suite (tests/edge) needs a short header deadline and a trusted proxy (X-Forwarded-Proto / -Host)
if [ "$WHAT" = edge ]; then
  export FIELDGRID_HEADER_TIMEOUT_S=${FIELDGRID_HEADER_TIMEOUT_S:-3} FIELDGRID_TRUSTED_PROXY=1
fi
# the web app as make builds it (build/web: hashed names, import map, brotli/gzip copies), what a site serves
WEB=$ROOT/build/web
[ -f "$WEB/assets.json" ] || { echo "FAIL: $WEB not built (run make)"; exit 1; }
"$BIN" serve --data "$WORK/data" "${DBARGS[@]}" --listen "127.0.0.1:$PORT" --web "$WEB" 2>"$LOG" &
PID=$!
# tests that watch the server itself (its memory, its data directory) find it through these
export FG_SERVER_PID=$PID FG_DATA_DIR=$WORK/data
for _ in $(seq 1 100); do
  curl -sf "$FG_URL/api/v1/health" >/dev/null 2>&1 && break
  sleep 0.1
done
echo "== suite $TAG on $FG_URL"
dirs=()
case "$WHAT" in
  api) dirs=(tests/api tests/ocpp) ;;
  ocpp) dirs=(tests/ocpp) ;;
  browser) dirs=(tests/browser) ;;
  edge) dirs=(tests/edge) ;;
  *) dirs=(tests/api tests/ocpp tests/browser) ;;
esac
# FG_TEST_FILES="tests/api/a.test.mjs tests/ocpp/b.test.mjs" runs just those files (a developer's quick loop)
if [ -n "${FG_TEST_FILES:-}" ]; then
  # shellcheck disable=SC2086
  node --test --test-reporter=spec --test-concurrency=1 --test-force-exit --test-timeout=300000 $FG_TEST_FILES || fail=1
else
for d in "${dirs[@]}"; do
  ls "$d"/*.test.mjs >/dev/null 2>&1 || continue
  # a failing test can leave a socket open (a charger client, a browser): force the exit, and bound each test
  node --test --test-reporter=spec --test-concurrency=1 --test-force-exit --test-timeout=300000 "$d"/*.test.mjs || fail=1
done
fi
kill -TERM "$PID"
if ! wait "$PID"; then
  echo "FAIL: the server did not stop cleanly on SIGTERM ($TAG)"; fail=1
fi
if grep -E "AddressSanitizer|runtime error:|LeakSanitizer" "$LOG" >/dev/null; then
  echo "FAIL: sanitizer report in the server log ($TAG):"; grep -E -A30 "AddressSanitizer|runtime error:|LeakSanitizer" "$LOG" | head -60; fail=1
fi
if ! "$BIN" audit verify --data "$WORK/data" "${DBARGS[@]}"; then
  echo "FAIL: audit chain broken after the suite ($TAG)"; fail=1
fi
if [ $fail -ne 0 ]; then
  echo "--- last server log lines ($TAG)"; tail -40 "$LOG"
else
  rm -rf "$WORK"
fi
exit $fail
