#!/usr/bin/env bash
# Customer portal benchmark (issue 11 item 13): the tracking read a customer makes with a verified customer session
# (GET /api/v1/portal/applications/{number}) and the desk's list of applications, against nginx serving the same
# bytes as static files, in the same run. A measurement, not a test: it never fails because of a number. Goal:
# fieldgrid >= 0.5x nginx's req/s and p99 < 20 ms at 64 connections. See bench/README.md "Portal".
#
#   bench/portal/run.sh                    # from the repository root
#   DURATION=3 bench/portal/run.sh
#
# Environment (all optional):
#   DURATION      seconds per wrk run (10)
#   THREADS       wrk threads (2)
#   CONNECTIONS   space-separated connection counts (64)
#   FG_PORT       fieldgrid port (18490)
#   NGINX_PORT    nginx port (18491)
#   FG_BIN        fieldgrid binary (./build/fieldgrid; built with `make` if missing)
#   FG_LOG        where fieldgrid's stdout+stderr (one access-log line per request) go;
#                 default: a file in the temporary directory; /dev/null discards it
#   KEEP_TMP=1    keep the temporary directory (data, logs, nginx config) after the run
#   FG_DB         sqlite (default) or pg: PostgreSQL in the private cluster of tests/pg.sh (FG_PG_PORT)
#   ENDPOINTS     which reads to measure, space-separated, from: track desk (default: both)
#   FG_THREADS    fieldgrid serve --threads (unset: serve's default)
set -euo pipefail

BENCH=portal
BENCH_TITLE="fieldgrid customer portal benchmark"
BENCH_CONNECTIONS="64"
BENCH_FG_PORT=18490
BENCH_NGINX_PORT=18491
BENCH_ENDPOINTS="track desk"
BENCH_SEEDS="applications, a customer session through an SMS code"

bench_seeded() {
  NUMBER=$(printf '%s' "$SEED" | json_get number)
  CTOKEN=$(printf '%s' "$SEED" | json_get customer_token)
  [ -n "$CTOKEN" ] || die "no customer session from bench/portal/seed.mjs: $SEED"
}
# the customer's tracking read with the customer session, the desk's list with the admin's token
bench_path() {
  case $1 in
  track) echo "/api/v1/portal/applications/$NUMBER" ;;
  desk) echo "/api/v1/applications?limit=50" ;;
  *) die "unknown endpoint '$1' in ENDPOINTS (track desk)" ;;
  esac
}
bench_auth() { [ "$1" = track ] && echo "Authorization: Bearer $CTOKEN" || echo "Authorization: Bearer $TOKEN"; }
bench_data() {
  echo "fieldgrid demo + bench/portal/seed.mjs: $(printf '%s' "$SEED" | json_get apps) applications; track with a verified customer session (bearer), desk as admin (bearer)"
}
bench_goal() {
  echo "goal: fieldgrid/nginx >= 0.5 and fieldgrid p99 < 20 ms (issue 11 item 13)"
  for r in "${ROWS[@]}"; do
    IFS='|' read -r e c a b d f g h <<<"$r"
    p99ms=$(awk -v v="$d" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }')
    verdict=$(awk -v q="$h" -v p="$p99ms" 'BEGIN { print ((q + 0 >= 0.5 && p + 0 < 20) ? "met" : "NOT met") }')
    printf '  %-18s c=%-4s ratio %-6s p99 %8s ms  %s\n' "$e" "$c" "$h" "$p99ms" "$verdict"
  done
}

# shellcheck source=bench/lib/versus_nginx.sh
. "$(dirname "${BASH_SOURCE[0]}")/../lib/versus_nginx.sh"
