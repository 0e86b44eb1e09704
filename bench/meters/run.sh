#!/usr/bin/env bash
# Meter ledger benchmark (issue 12 item 4): `fieldgrid import meters` of a deterministic 1,000,000-row CSV beside a
# plain load of the same file into a same-shaped table in the same run (sqlite3 `.import`; psql `\copy`), with the
# ratio and the import's peak RSS; then a rotation campaign's selection + generation over those meters (POST
# …/actions/generate timed through the API). SQLite and PostgreSQL (the private cluster of tests/pg.sh, FG_PG_PORT).
# A measurement, not a test: it never fails because of a number. Goals: import < 10 s and within 2× of the plain
# load; selection + generation < 3 s (SQLite). See bench/README.md "Meters".
#
#   bench/meters/run.sh                  # from the repository root
#   ROWS=200000 ENGINES=sqlite bench/meters/run.sh
#
# Environment (all optional):
#   ROWS        rows in the file (1000000)
#   ENGINES     "sqlite pg" (default) or one of them
#   FG_BIN      fieldgrid binary (./build/fieldgrid; built with `make` if missing)
#   FG_PORT     the port fieldgrid serves on for the campaign (18492)
#   KEEP_TMP=1  keep the temporary directory
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
ROWS=${ROWS:-1000000}
ENGINES=${ENGINES:-sqlite pg}
FG_BIN=${FG_BIN:-./build/fieldgrid}
FG_PORT=${FG_PORT:-18492}
die() { echo "bench/meters: $*" >&2; exit 1; }
for t in awk sqlite3 curl /usr/bin/time; do command -v "$t" >/dev/null || die "$t is needed"; done
[ -x "$FG_BIN" ] || make -j2 all >/dev/null || die "build failed"
TMP=$(mktemp -d /tmp/fg-bench-meters.XXXXXX)
SERVER=
cleanup() {
  [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
  [ "${KEEP_TMP:-}" = 1 ] && echo "kept $TMP" || rm -rf "$TMP"
}
trap cleanup EXIT
PW="Bench-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
now_ms() { date +%s%3N; }

CSV=$TMP/meters.csv
awk -v N="$ROWS" -f bench/meters/gen.awk >"$CSV"
echo "fieldgrid meter ledger benchmark: $ROWS rows, $(du -m "$CSV" | cut -f1) MB, $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg)"

# the table the plain load fills: the file's columns, with every index the ledger has over them (migrations 0036,
# 0041, 0045: the unique asset number, the point, kind-status and batch ledger pages, the rotation index). What the
# ledger has beyond the file — its id key, the import's id, timestamps — is the import's own cost.
SHAPE="CREATE TABLE plain (asset_no TEXT NOT NULL UNIQUE, kind TEXT, subtype TEXT, model TEXT, manufacturer TEXT,
 batch TEXT, accuracy_class TEXT, rated TEXT, constant TEXT, produced_on TEXT, verified_on TEXT, sampling TEXT,
 status TEXT, point_no TEXT, transformer_area TEXT, installed_on TEXT);
CREATE INDEX plain_point ON plain(point_no); CREATE INDEX plain_kind_status ON plain(kind, status, asset_no);
CREATE INDEX plain_batch ON plain(batch, asset_no);
CREATE INDEX plain_rotation ON plain(kind, status, transformer_area, asset_no);"

# seconds and peak RSS (MB) of a command: "S.SS RSS"
timed() { /usr/bin/time -f '%e %M' -o "$TMP/time" "$@" >"$TMP/out" 2>&1 || { cat "$TMP/out" >&2; die "failed: $*"; }; awk '{printf "%.2f %d", $1, $2/1024}' "$TMP/time"; }

campaign() { # $1: data dir, $2: db args — serve, log in, create, time generate
  "$FG_BIN" serve --data "$1" $2 --listen "127.0.0.1:$FG_PORT" >"$TMP/serve.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$FG_PORT/api/v1/health" >/dev/null && break; sleep 0.2; done
  TOKEN=$(curl -sf -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" \
    "http://127.0.0.1:$FG_PORT/api/v1/auth/login" | sed 's/.*"token":"\([^"]*\)".*/\1/')
  [ -n "$TOKEN" ] || die "login failed"
  # smart meters older than 8 years on 2026-12-01 (about half the file), 100 crews × 50 meters a day from 2026-01-05
  ID=$(curl -sf -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"name":"bench","crews":100,
    "per_crew_day":50,"start_on":"2026-01-05","criteria":{"older_than_years":8,"as_of":"2026-12-01"}}' \
    "http://127.0.0.1:$FG_PORT/api/v1/rotation/campaigns" | sed 's/^{"id":"\([^"]*\)".*/\1/')
  local t0 t1
  t0=$(now_ms)
  curl -sf -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{}' \
    "http://127.0.0.1:$FG_PORT/api/v1/rotation/campaigns/$ID/actions/generate" >"$TMP/gen.json" || die "generate failed"
  t1=$(now_ms)
  local got
  got=$(curl -sf -H "authorization: Bearer $TOKEN" "http://127.0.0.1:$FG_PORT/api/v1/rotation/campaigns/$ID" |
    python3 -c 'import json,sys; c=json.load(sys.stdin); print("%d meters, %d work orders, %s..%s" % (c["total"], c["orders"], c["first_day"], c["last_day"]))')
  local rss
  rss=$(awk '/VmHWM/ {printf "%d", $2/1024}' "/proc/$SERVER/status")
  printf '  campaign selection + generation: %.2f s (%s; server peak RSS %s MB)\n' "$(echo "($t1 - $t0) / 1000" | bc -l)" "$got" "$rss"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true; SERVER=
}

for engine in $ENGINES; do
  DATA=$TMP/data-$engine
  DBA=
  if [ "$engine" = pg ]; then
    "$ROOT/tests/pg.sh" start >/dev/null || die "tests/pg.sh start failed (FG_PG_PORT=${FG_PG_PORT:-default})"
    DBA="--db $("$ROOT/tests/pg.sh" newdb fg_bench_meters)"
    PLAIN_URL=$("$ROOT/tests/pg.sh" newdb fg_bench_meters_plain)
  fi
  FIELDGRID_ADMIN_PASSWORD=$PW "$FG_BIN" init --data "$DATA" $DBA >/dev/null 2>&1 || die "init failed"
  read -r imp rss <<<"$(timed "$FG_BIN" import meters "$CSV" --data "$DATA" $DBA)"
  if [ "$engine" = sqlite ]; then
    sqlite3 "$TMP/plain.db" "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" "$SHAPE" >/dev/null
    read -r plain _ <<<"$(timed sqlite3 "$TMP/plain.db" ".mode csv" ".import --skip 1 $CSV plain")"
    what="sqlite3 .import"
  else
    psql -q "$PLAIN_URL" -c "$SHAPE" >/dev/null
    read -r plain _ <<<"$(timed psql -q "$PLAIN_URL" -c "\\copy plain FROM '$CSV' WITH (FORMAT csv, HEADER true)")"
    what="psql \\copy"
  fi
  echo "$engine:"
  printf '  fieldgrid import meters: %s s, peak RSS %s MB\n' "$imp" "$rss"
  printf '  plain load (%s, same file, same-shaped table): %s s\n' "$what" "$plain"
  printf '  ratio: %.2f×\n' "$(echo "$imp / $plain" | bc -l)"
  campaign "$DATA" "$DBA"
done
