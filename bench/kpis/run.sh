#!/usr/bin/env bash
# Measures the charger KPIs on a generated fleet (bench/kpis/gen.py): N chargers × DAYS days on SQLite and on
# PostgreSQL, timing the table, the XLSX export and the trend through HTTP.
#   bench/kpis/run.sh [CHARGERS=3000] [DAYS=30]      (PostgreSQL: the private cluster of tests/pg.sh, FG_PG_PORT)
set -euo pipefail
N=${1:-3000}
DAYS=${2:-30}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${BIN:-$ROOT/build/fieldgrid}
W=$(mktemp -d /tmp/fg-bench-kpis-XXXXXX)
chmod 755 "$W"
trap 'rm -rf "$W"' EXIT
export FIELDGRID_ADMIN_PASSWORD=Bench-kpis-pass1
shanghai() { python3 -c "import time;print(time.strftime('%Y-%m-%d', time.gmtime(time.time() + 8*3600 + $1*86400)))"; }
FROM=$(shanghai "-$DAYS"); TO=$(shanghai -1)
python3 "$ROOT/bench/kpis/gen.py" "$W/tsv" "$N" "$((DAYS + 5))" >/dev/null 2>"$W/gen-pg.log" || { cat "$W/gen-pg.log"; exit 1; }
chmod -R a+r "$W/tsv"; chmod 755 "$W/tsv"
for DB in sqlite pg; do
  ARGS=()
  if [ "$DB" = pg ]; then
    "$ROOT/tests/pg.sh" start >/dev/null
    URL=$("$ROOT/tests/pg.sh" newdb fg_bench_kpis)
    ARGS=(--db "$URL")
  fi
  "$BIN" init --data "$W/$DB" "${ARGS[@]}" >/dev/null 2>&1
  if [ "$DB" = pg ]; then
    psql -q "$URL" -f "$W/tsv/load.sql" >/dev/null
  else
    python3 "$ROOT/bench/kpis/gen.py" "$W/gen" "$N" "$((DAYS + 5))" "$W/$DB/fieldgrid.db" 2>/dev/null
  fi
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  "$BIN" serve --data "$W/$DB" "${ARGS[@]}" --listen "127.0.0.1:$PORT" --web "$ROOT/web" 2>"$W/$DB.log" &
  PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
  TOK=$(curl -s "http://127.0.0.1:$PORT/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d "{\"username\":\"admin\",\"password\":\"$FIELDGRID_ADMIN_PASSWORD\"}" | python3 -c 'import sys,json;print(json.load(sys.stdin)["token"])')
  echo "== $DB: $N chargers, $FROM .. $TO ($(head -c 200 "$W/gen-pg.log" | tr '\n' ' '))"
  for q in "chargers?group_by=station" "chargers?group_by=charger" "chargers?group_by=connector" "chargers.xlsx?group_by=connector" \
           "trend?metric=availability&interval=day&group_by=vendor"; do
    for i in 1 2; do
      curl -s -o "$W/out" -w "%{http_code} %{time_total}s %{size_download}B" -H "Authorization: Bearer $TOK" \
        "http://127.0.0.1:$PORT/api/v1/kpis/$q&from=$FROM&to=$TO" > "$W/t"
      echo "   $q  $(cat "$W/t")"
    done
  done
  RSS=$(ps -o rss= -p "$PID")
  echo "   server RSS after: ${RSS} KiB"
  kill -TERM "$PID"; wait "$PID" || true
done
