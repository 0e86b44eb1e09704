#!/usr/bin/env bash
# make test: every test fieldgrid has, in the order a failure is cheapest to find.
#   1. release build with -Werror, cmocka unit tests (SQLite, and PostgreSQL through FG_TEST_PG_URL)
#   2. API + browser tests against a real server on SQLite and on a real PostgreSQL this script starts; lifecycle,
#      backup, durability and the cluster (three nodes behind nginx) with servers of their own
#   3. the same unit and API tests built with ASan + UBSan
#   4. each libFuzzer target for a short run
# Prints one closing line "N passed, N failed" counting the steps.
set -uo pipefail
cd "$(dirname "$0")/.."
passed=0; failed=0; failures=()
step() {
  local name=$1; shift
  echo
  echo "==== $name"
  if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); failures+=("$name"); fi
}
# pair NAME1 CMD1… -- NAME2 CMD2…: two independent suites at once (SQLite beside PostgreSQL: each has its own server,
# port and database), each one's output shown whole after both ended. Much of a suite's time is spent waiting
# (browsers, sockets, the database), so two at once take far less than one after the other.
pair() {
  local a=() b=() second=0 x
  for x in "$@"; do
    if [ "$x" = "--" ] && [ "$second" = 0 ]; then second=1; continue; fi
    if [ "$second" = 0 ]; then a+=("$x"); else b+=("$x"); fi
  done
  local o1 o2 p1 p2 r1 r2
  o1=$(mktemp) o2=$(mktemp)
  "${a[@]:1}" >"$o1" 2>&1 & p1=$!
  "${b[@]:1}" >"$o2" 2>&1 & p2=$!
  wait "$p1"; r1=$?
  wait "$p2"; r2=$?
  echo; echo "==== ${a[0]}"; cat "$o1"
  if [ "$r1" = 0 ]; then passed=$((passed+1)); else failed=$((failed+1)); failures+=("${a[0]}"); fi
  echo; echo "==== ${b[0]}"; cat "$o2"
  if [ "$r2" = 0 ]; then passed=$((passed+1)); else failed=$((failed+1)); failures+=("${b[0]}"); fi
  rm -f "$o1" "$o2"
}
JOBS=$(nproc 2>/dev/null || echo 2)
# suites that start their own servers: a failing test must not leave the run waiting on a child process or a
# loop (--test-force-exit), and no step may outlive its bound whatever happens inside it
NODETEST=(timeout 900 node --test --test-force-exit --test-timeout=600000)

step "db_q calls match their placeholders (tools/check-dbq.py)" python3 tools/check-dbq.py
step "layers and bounded contexts: no include reaches up, across or in a circle (tools/check-deps.py)" python3 tools/check-deps.py
step "build (release, -Werror)" make -j"$JOBS" all
step "knowledge-base reference data (tools/check-kb.mjs)" node tools/check-kb.mjs
PGURL=$(tests/pg.sh start) || { echo "cannot start PostgreSQL"; exit 1; }
case "$PGURL" in postgresql://*) ;; *) echo "no PostgreSQL URL from tests/pg.sh"; exit 1 ;; esac
export FG_TEST_PG_URL=$(tests/pg.sh newdb fg_unit)
step "unit tests (release)" make -j"$JOBS" unit
pair "api+browser tests on SQLite" tests/run-suite.sh build/fieldgrid sqlite all \
  -- "api+browser tests on PostgreSQL" tests/run-suite.sh build/fieldgrid pg all
step "HTTP edge (memory, slow clients, uploads) on SQLite" tests/run-suite.sh build/fieldgrid sqlite edge
step "HTTP edge (memory, slow clients, uploads) on PostgreSQL" tests/run-suite.sh build/fieldgrid pg edge
step "graceful stop on SQLite" "${NODETEST[@]}" tests/lifecycle/
step "graceful stop on PostgreSQL" env FG_PG_URL="$(tests/pg.sh newdb fg_lifecycle)" "${NODETEST[@]}" tests/lifecycle/
step "backup and restore under write load on SQLite" "${NODETEST[@]}" tests/backup/
step "backup and restore under write load on PostgreSQL" env FG_PG_URL="$(tests/pg.sh newdb fg_backup)" FG_PG_RESTORE_URL="$(tests/pg.sh newdb fg_restore)" "${NODETEST[@]}" tests/backup/
# kill -9 at random moments (seed printed; FG_SEED=N reproduces): acknowledged writes kept, keyed replays once
step "kill -9 durability on SQLite" "${NODETEST[@]}" --test-reporter=spec tests/durability/
step "kill -9 durability on PostgreSQL" env FG_PG_URL="$(tests/pg.sh newdb fg_durability)" "${NODETEST[@]}" --test-reporter=spec tests/durability/
# three nodes on one PostgreSQL behind nginx with the shipped configuration (docs/nginx/fieldgrid-cluster.conf)
step "cluster: three nodes behind nginx on PostgreSQL" env FG_PG_URL="$(tests/pg.sh newdb fg_cluster)" "${NODETEST[@]}" --test-reporter=spec tests/cluster/
# a primary and a synchronous streaming standby of its own (tests/failover/pgpair.sh), the standby promoted under writes
step "database failover: the standby promoted while clients write" "${NODETEST[@]}" --test-reporter=spec tests/failover/

step "build (ASan+UBSan)" make -j"$JOBS" MODE=asan all
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export FG_TEST_PG_URL=$(tests/pg.sh newdb fg_unit_asan)
step "unit tests (ASan+UBSan)" make -j"$JOBS" MODE=asan unit
pair "api tests on SQLite (ASan+UBSan)" tests/run-suite.sh build/asan/fieldgrid sqlite api \
  -- "api tests on PostgreSQL (ASan+UBSan)" tests/run-suite.sh build/asan/fieldgrid pg api

step "fuzz targets (short run)" bash tests/fuzz/build.sh run "${FUZZ_SECONDS:-15}"

tests/pg.sh stop
echo
echo "==== summary"
for f in "${failures[@]+"${failures[@]}"}"; do echo "FAILED: $f"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
