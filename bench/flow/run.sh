#!/usr/bin/env bash
# bench/flow: flow transitions per second (flow_fire on the work_order flow, with flow event and audit record)
# beside plain audited single-row inserts, on SQLite and PostgreSQL, 1 and 8 clients. A measurement, not a test.
# See bench/README.md "Flow".
#
#   bench/flow/run.sh                  # from anywhere; or: make bench-flow
#
# Environment (all optional):
#   N          operations per run when the disk is not in the way (20000): SQLite synchronous=off, PostgreSQL
#   N_FULL     operations per run on SQLite with synchronous=FULL, as the server runs (512: ~fsync-bound)
#   CLIENTS    client counts (1 8)
#   DBS        engines (sqlite pg); pg uses the private cluster of tests/pg.sh (FG_PG_PORT)
#   KEEP_TMP=1 keep the temporary directory
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
N=${N:-20000}
N_FULL=${N_FULL:-512}
CLIENTS=${CLIENTS:-"1 8"}
DBS=${DBS:-"sqlite pg"}
BIN=./build/fieldgrid
BENCH=./build/bench-flow
[ -x "$BIN" ] && [ -x "$BENCH" ] || make -j"$(nproc)" all build/bench-flow >/dev/null || { echo "bench/flow: build failed" >&2; exit 1; }
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldgrid-bench-flow.XXXXXX")
cleanup() { if [ "${KEEP_TMP:-0}" = 1 ]; then echo "bench/flow: kept $TMP" >&2; else rm -rf "$TMP"; fi; }
trap cleanup EXIT
export FIELDGRID_ADMIN_PASSWORD="Bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')9"
mkdir -p bench/results
RESULT="bench/results/flow-$(date +%Y-%m-%dT%H%M%S).txt"
{
  echo "fieldgrid flow benchmark, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')$( [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && echo ' (dirty tree)')"
  echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //'); $(uname -sr); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  for db in $DBS; do
    echo
    if [ "$db" = pg ]; then
      tests/pg.sh start >/dev/null
      URL=$(tests/pg.sh newdb fg_bench_flow)
      "$BIN" init --data "$TMP/pg" --db "$URL" >"$TMP/init-pg.log" 2>&1 || { cat "$TMP/init-pg.log" >&2; exit 1; }
      echo "(PostgreSQL: the private test cluster of tests/pg.sh, which runs with fsync=off)"
      "$BENCH" "$URL" "$N" $CLIENTS
    else
      "$BIN" init --data "$TMP/sqlite" >"$TMP/init-sqlite.log" 2>&1 || { cat "$TMP/init-sqlite.log" >&2; exit 1; }
      "$BENCH" "$TMP/sqlite/fieldgrid.db" "$N_FULL" $CLIENTS
      echo
      SYNC=off "$BENCH" "$TMP/sqlite/fieldgrid.db" "$N" $CLIENTS
    fi
  done
} 2>&1 | tee "$RESULT"
echo
echo "written to $ROOT/$RESULT"
