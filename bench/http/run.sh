#!/usr/bin/env bash
# HTTP benchmark: fieldgrid against nginx serving static files of the same size.
# A measurement, not a test: it never fails because of a number. See bench/README.md.
#
#   bench/http/run.sh                      # from the repository root (or `make bench`)
#   DURATION=3 CONNECTIONS="64" bench/http/run.sh
#
# Environment (all optional):
#   DURATION      seconds per wrk run (10)
#   THREADS       wrk threads (2)
#   CONNECTIONS   space-separated connection counts (64 256)
#   FG_PORT       fieldgrid port (18480)
#   NGINX_PORT    nginx port (18481)
#   FG_BIN        fieldgrid binary (./build/fieldgrid; built with `make` if missing)
#   FG_LOG        where fieldgrid's stdout+stderr (one access-log line per request) go;
#                 default: a file in the temporary directory; /dev/null discards it
#   KEEP_TMP=1    keep the temporary directory (data, logs, nginx config) after the run
#   FG_DB         sqlite (default) or pg: PostgreSQL in the private cluster of tests/pg.sh (FG_PG_PORT)
#   ENDPOINTS     which reads to measure, space-separated, from: health me orders plans tools board live
#                 (default: all of them)
#   FG_THREADS    fieldgrid serve --threads (unset: serve's default)
set -euo pipefail

BENCH=http
BENCH_TITLE="fieldgrid HTTP benchmark"
BENCH_CONNECTIONS="64 256"
BENCH_FG_PORT=18480
BENCH_NGINX_PORT=18481
BENCH_ENDPOINTS="health me orders plans tools board live"
BENCH_SEEDS="work orders, plans for today, chargers"

bench_seeded() { TODAY=$(printf '%s' "$SEED" | json_get date); }
bench_path() {
  case $1 in
  health) echo "/api/v1/health" ;;
  me) echo "/api/v1/me" ;;
  orders) echo "/api/v1/work-orders?limit=50" ;;
  plans) echo "/api/v1/plans?limit=50" ;;
  tools) echo "/api/v1/tools?limit=50" ;;
  board) echo "/api/v1/board?date=$TODAY" ;;
  live) echo "/api/v1/chargers/live" ;;
  *) die "unknown endpoint '$1' in ENDPOINTS (health me orders plans tools board live)" ;;
  esac
}
# every read but health with the admin's bearer token
bench_auth() { [ "$1" = health ] || echo "Authorization: Bearer $TOKEN"; }
bench_data() { echo "fieldgrid demo + bench/http/seed.mjs: $SEED; reads as admin (bearer token)"; }

# shellcheck source=bench/lib/versus_nginx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/versus_nginx.sh"
