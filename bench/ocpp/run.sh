#!/usr/bin/env bash
# OCPP benchmark: N simulated chargers against fieldgrid's OCPP 1.6J gateway, then the same load against a small
# Node central system on ocpp-rpc (bench/ocpp/peer.mjs), in the same run; a side-by-side table.
# A measurement, not a test: it never fails because of a number. See bench/README.md.
#
#   bench/ocpp/run.sh                          # from the repository root (or `make bench-ocpp`): 15,000 chargers
#   CHARGERS=2000 DURATION=10 bench/ocpp/run.sh
#
# Environment (all optional):
#   CHARGERS        simulated chargers (15000); each is one socket in the server and one in the load generator
#   DURATION        seconds of the steady phase (30)
#   HEARTBEAT       Heartbeat interval, s (30; also the chargers' heartbeat_interval in the ledger, >= 10)
#   METER           MeterValues interval, s (10)
#   CONNECTORS      connectors per charger: one StatusNotification each after every boot (2)
#   RAMP            new connections per second during the ramp (500)
#   WORKERS         load generator processes (2, one per core)
#   SECURITY        chargers' security_profile: 1 = HTTP Basic with a per-charger key (default), 0 = none
#   REG_CONCURRENCY POST /api/v1/chargers requests in flight while registering (16)
#   STORM_SPREAD    ms over which the storm's reconnects are spread (0: all at once)
#   STORM_TIMEOUT   s to wait for every charger to come back after the storm (180)
#   STORMS          storm rounds (1); with more, the table adds recovery, RSS and fds after each round
#   CALL_TIMEOUT    s before an unanswered CALL counts as a timeout (30)
#   FG_THREADS      `fieldgrid serve --threads` (unset: serve's default)
#   TARGETS         which central systems to measure ("fieldgrid peer")
#   FG_PORT         fieldgrid port (18490)
#   PEER_PORT       Node peer port (18491)
#   FG_BIN          fieldgrid binary (./build/fieldgrid; built with `make` if missing)
#   FG_LOG          where fieldgrid's stdout+stderr go (default: a file in the temporary directory)
#   KEEP_TMP=1      keep the temporary directory (data, logs, the chargers' keys, raw JSON results)
set -euo pipefail

CHARGERS=${CHARGERS:-15000}
DURATION=${DURATION:-30}
HEARTBEAT=${HEARTBEAT:-30}
METER=${METER:-10}
CONNECTORS=${CONNECTORS:-2}
RAMP=${RAMP:-500}
WORKERS=${WORKERS:-2}
SECURITY=${SECURITY:-1}
REG_CONCURRENCY=${REG_CONCURRENCY:-16}
STORM_SPREAD=${STORM_SPREAD:-0}
STORM_TIMEOUT=${STORM_TIMEOUT:-180}
STORMS=${STORMS:-1}
CALL_TIMEOUT=${CALL_TIMEOUT:-30}
FG_THREADS=${FG_THREADS:-}
TARGETS=${TARGETS:-"fieldgrid peer"}
FG_PORT=${FG_PORT:-18490}
PEER_PORT=${PEER_PORT:-18491}
HOST=127.0.0.1
LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)

die() { printf 'bench/ocpp: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench/ocpp: %s\n' "$*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
FG_BIN=${FG_BIN:-./build/fieldgrid}
HERE=bench/ocpp

# --- settings and tools ---------------------------------------------------------------------
for v in CHARGERS DURATION HEARTBEAT METER CONNECTORS RAMP WORKERS REG_CONCURRENCY STORM_SPREAD STORM_TIMEOUT STORMS CALL_TIMEOUT FG_PORT PEER_PORT; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'";; esac
done
[ "$CHARGERS" -ge 1 ] || die "CHARGERS must be at least 1"
[ "$HEARTBEAT" -ge 10 ] || die "HEARTBEAT must be at least 10 s (the ledger's lower bound for heartbeat_interval)"
[ "$METER" -ge 1 ] && [ "$RAMP" -ge 1 ] && [ "$WORKERS" -ge 1 ] || die "METER, RAMP and WORKERS must be at least 1"
[ "$CONNECTORS" -ge 1 ] && [ "$CONNECTORS" -le 32 ] || die "CONNECTORS must be 1 to 32"
case $SECURITY in 0|1) ;; *) die "SECURITY must be 0 or 1";; esac
[ "$FG_PORT" != "$PEER_PORT" ] || die "FG_PORT and PEER_PORT must differ"
for t in $TARGETS; do case $t in fieldgrid|peer) ;; *) die "TARGETS takes fieldgrid and/or peer, got '$t'";; esac; done
command -v node >/dev/null || die "node not found: install it with scripts/setup.sh"
command -v curl >/dev/null || die "curl not found: install it with scripts/setup.sh (Debian package 'curl')"
[ -d node_modules/ocpp-rpc ] && [ -d node_modules/ws ] || die "node_modules/ocpp-rpc or node_modules/ws missing: run scripts/setup.sh (npm ci)"

# Every socket is a file descriptor: the server holds CHARGERS of them, each load generator worker its share.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ "$CHARGERS" -gt $((NOFILE - 500)) ]; then
  die "CHARGERS=$CHARGERS needs more file descriptors than this shell may open ($NOFILE, the hard limit): use CHARGERS <= $((NOFILE - 500))"
fi

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
port_in_use "$FG_PORT" && die "port $FG_PORT is already in use: set FG_PORT"
port_in_use "$PEER_PORT" && die "port $PEER_PORT is already in use: set PEER_PORT"

if [ ! -x "$FG_BIN" ]; then
  note "$FG_BIN missing: running make"
  make -j"$(nproc)" || die "make failed"
  [ -x "$FG_BIN" ] || die "make did not produce $FG_BIN"
fi

# --- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldgrid-bench-ocpp.XXXXXX")
FG_PID=
PEER_PID=
stop() {  # stop PID: TERM, wait up to 10 s, then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop "$PEER_PID"
  stop "$FG_PID"
  if [ "${KEEP_TMP:-0}" = 1 ]; then note "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

FG_LOG=${FG_LOG:-$TMP/fieldgrid.log}
show_fg_log() {
  if [ -f "$FG_LOG" ]; then note "last lines of $FG_LOG:"; tail -n 20 "$FG_LOG" >&2 || true; fi
}
LOAD_ARGS=(--count "$CHARGERS" --workers "$WORKERS" --ramp "$RAMP" --duration "$DURATION" --heartbeat "$HEARTBEAT"
  --meter "$METER" --connectors "$CONNECTORS" --call-timeout "$CALL_TIMEOUT" --storm-spread "$STORM_SPREAD"
  --storm-timeout "$STORM_TIMEOUT" --storms "$STORMS")
RESULTS=()
WARNINGS=()
REG="(not run)"
FG_VERSION="?"
FG_DEAD=

# --- fieldgrid --------------------------------------------------------------------------------
# Chargers for the peer too: the same identities and keys (the peer accepts any).
CHARGER_FILE=$TMP/chargers.txt
if [[ " $TARGETS " == *" fieldgrid "* ]]; then
  PW="Bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')9"
  mkdir -p "$TMP/data"
  note "fieldgrid init --data $TMP/data"
  FIELDGRID_ADMIN_PASSWORD=$PW "$FG_BIN" init --data "$TMP/data" >"$TMP/init.log" 2>&1 \
    || { cat "$TMP/init.log" >&2; die "fieldgrid init failed"; }
  SERVE_ARGS=(serve --data "$TMP/data" --listen "$HOST:$FG_PORT")
  [ -n "$FG_THREADS" ] && SERVE_ARGS+=(--threads "$FG_THREADS")
  note "fieldgrid ${SERVE_ARGS[*]} (ulimit -n $NOFILE; server output: $FG_LOG)"
  "$FG_BIN" "${SERVE_ARGS[@]}" >"$FG_LOG" 2>&1 &
  FG_PID=$!
  FG="http://$HOST:$FG_PORT"
  ok=
  for _ in $(seq 100); do
    kill -0 "$FG_PID" 2>/dev/null || { show_fg_log; die "fieldgrid serve exited during start-up"; }
    if curl -fsS -o "$TMP/health.json" "$FG/api/v1/health" 2>/dev/null; then ok=1; break; fi
    sleep 0.1
  done
  [ -n "$ok" ] || { show_fg_log; die "fieldgrid did not answer GET /api/v1/health within 10 s"; }
  FG_VERSION=$(node -e 'const j=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));console.log(`${j.version??"?"} (${j.db??"?"})`)' "$TMP/health.json" 2>/dev/null || echo '?')

  note "registering $CHARGERS chargers: POST /api/v1/chargers, $REG_CONCURRENCY in flight"
  REG_JSON=$(node "$HERE/register.mjs" --base "$FG" --password "$PW" --count "$CHARGERS" --out "$CHARGER_FILE" \
    --concurrency "$REG_CONCURRENCY" --connectors "$CONNECTORS" --heartbeat "$HEARTBEAT" --security "$SECURITY") \
    || { show_fg_log; die "registering chargers failed"; }
  REG=$(node -e 'const j=JSON.parse(process.argv[1]);console.log(`${j.registered} chargers in ${j.seconds} s (${j.per_s}/s, ${j.concurrency} in flight)${j.failed?`, ${j.failed} failed`:""}`)' "$REG_JSON")
  note "registered: $REG"
  sleep 2 # the idle RSS is read after registration, once the server is quiet

  note "load against fieldgrid (pid $FG_PID)"
  node "$HERE/load.mjs" --url "ws://$HOST:$FG_PORT/ocpp" --chargers "$CHARGER_FILE" --name fieldgrid --pid "$FG_PID" \
    --out "$TMP/fieldgrid.json" "${LOAD_ARGS[@]}" || WARNINGS+=("the load generator against fieldgrid exited with an error")
  RESULTS+=("$TMP/fieldgrid.json")
  if ! kill -0 "$FG_PID" 2>/dev/null; then
    FG_DEAD=1
    show_fg_log
    wait "$FG_PID" 2>/dev/null && rc=0 || rc=$?
    WARNINGS+=("fieldgrid serve was not running at the end of its run (exit status $rc)")
    FG_PID=
  fi
  if [ -f "$FG_LOG" ]; then
    LOG_BYTES=$(wc -c <"$FG_LOG" | tr -d ' ')
    N_WARN=$(grep -c ' WARN ' "$FG_LOG" || true)
    N_ERR=$(grep -c ' ERROR ' "$FG_LOG" || true)
    if [ "${N_WARN:-0}" != 0 ] || [ "${N_ERR:-0}" != 0 ]; then
      WARNINGS+=("fieldgrid log: $N_WARN WARN and $N_ERR ERROR lines; the most frequent (timestamps and ids cut):")
      while IFS= read -r l; do WARNINGS+=("    $l"); done < <(grep -E ' (WARN|ERROR) ' "$FG_LOG" | cut -d' ' -f2- \
        | sed -E 's/BENCH-[0-9]+/BENCH-n/g; s/[0-9]+/N/g' | sort | uniq -c | sort -rn | head -n 8)
    fi
    N_HS=$(grep -cE 'ocpp handshake [^ ]+: (4|5)[0-9][0-9]' "$FG_LOG" || true)
    [ "${N_HS:-0}" = 0 ] || WARNINGS+=("fieldgrid log: $N_HS refused OCPP handshakes ($(grep -oE 'ocpp handshake [^ ]+: [0-9]+ [a-z_]+' "$FG_LOG" | awk '{print $4, $5}' | sort | uniq -c | sort -rn | head -n 4 | awk '{printf "%s%s %s x%s", NR>1?", ":"", $2, $3, $1}'))")
  fi
  stop "$FG_PID"  # before the peer starts: the two never share the machine
  FG_PID=
fi

# --- the Node peer ------------------------------------------------------------------------------
if [[ " $TARGETS " == *" peer "* ]]; then
  if [ ! -s "$CHARGER_FILE" ]; then  # peer only: identities without keys (it accepts any)
    w=${#CHARGERS}
    for i in $(seq 1 "$CHARGERS"); do printf 'BENCH-%0*d -\n' "$w" "$i"; done >"$CHARGER_FILE"
  fi
  note "Node peer (ocpp-rpc $(node -p 'require("./node_modules/ocpp-rpc/package.json").version')) on $HOST:$PEER_PORT"
  node "$HERE/peer.mjs" --host "$HOST" --port "$PEER_PORT" --interval "$HEARTBEAT" >"$TMP/peer.log" 2>&1 &
  PEER_PID=$!
  ok=
  for _ in $(seq 100); do
    kill -0 "$PEER_PID" 2>/dev/null || { cat "$TMP/peer.log" >&2; die "the Node peer exited during start-up"; }
    grep -q '^peer listening' "$TMP/peer.log" 2>/dev/null && { ok=1; break; }
    sleep 0.1
  done
  [ -n "$ok" ] || { cat "$TMP/peer.log" >&2; die "the Node peer did not start listening within 10 s"; }
  sleep 1
  note "load against the Node peer (pid $PEER_PID)"
  node "$HERE/load.mjs" --url "ws://$HOST:$PEER_PORT/ocpp" --chargers "$CHARGER_FILE" --name "node-peer" --pid "$PEER_PID" \
    --out "$TMP/peer.json" "${LOAD_ARGS[@]}" || WARNINGS+=("the load generator against the Node peer exited with an error")
  RESULTS+=("$TMP/peer.json")
  kill -0 "$PEER_PID" 2>/dev/null || WARNINGS+=("the Node peer was not running at the end of its run")
  if grep -qv '^peer listening' "$TMP/peer.log"; then
    WARNINGS+=("Node peer output: $(grep -v '^peer listening' "$TMP/peer.log" | sort | uniq -c | sort -rn | head -n 3 | tr -s ' ' | paste -sd ';' -)")
  fi
  stop "$PEER_PID"
  PEER_PID=
fi

# --- report -----------------------------------------------------------------------------------
mkdir -p bench/results
STAMP=$(date +%Y-%m-%dT%H%M%S)
RESULT="bench/results/ocpp-$STAMP.txt"
{
  echo "fieldgrid OCPP benchmark, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "fieldgrid $FG_VERSION at ws://$HOST:$FG_PORT/ocpp (serve${FG_THREADS:+ --threads $FG_THREADS}); Node peer: ocpp-rpc $(node -p 'require("./node_modules/ocpp-rpc/package.json").version') RPCServer on node $(node --version) at ws://$HOST:$PEER_PORT/ocpp"
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')$( [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && echo ' (dirty tree)')"
  echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || uname -m); $(uname -sr); ulimit -n $NOFILE; load average at start: $LOADAVG0"
  echo "load: $CHARGERS chargers over $WORKERS node process(es) (raw ws), ramp $RAMP/s, Boot + $CONNECTORS StatusNotification(s), Heartbeat every ${HEARTBEAT}s, MeterValues every ${METER}s, steady ${DURATION}s, storm spread ${STORM_SPREAD}ms x$STORMS; security profile $SECURITY"
  echo "registration (fieldgrid): $REG"
  echo "servers run one after the other on the same machine as the load generator"
  echo
  node "$HERE/report.mjs" "${RESULTS[@]}"
  if [ ${#WARNINGS[@]} -gt 0 ]; then
    echo
    echo "warnings:"
    for w in "${WARNINGS[@]}"; do echo "  $w"; done
  fi
} | tee "$RESULT"
for f in "${RESULTS[@]}"; do [ -f "$f" ] && cp "$f" "bench/results/ocpp-$STAMP-$(basename "$f")"; done
echo
echo "written to $ROOT/$RESULT"
[ -z "$FG_DEAD" ] || exit 1
