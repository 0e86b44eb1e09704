#!/usr/bin/env bash
# Cluster benchmark (issue 15 item 7): one fieldgrid node against three nodes behind a real nginx running the shipped
# docs/nginx/fieldgrid-cluster.conf, all on one PostgreSQL on this machine, in the same run; a side-by-side table.
# A measurement, not a test: it never fails because of a number. See bench/README.md "Cluster".
#
#   bench/cluster/run.sh                       # from the repository root (or `make bench-cluster`): a few minutes
#   CHARGERS=5000 DURATION=30 COMMANDS=500 bench/cluster/run.sh
#
# On a machine with few cores (this one has 2) the three nodes, nginx, PostgreSQL and the load generator share the
# same cores: what the run shows there is that the cluster is correct under load and what routing costs (the nginx
# hop, a command crossing nodes through the database), not a speed-up.
#
# Environment (all optional):
#   CHARGERS        simulated OCPP chargers (bench/ocpp/load.mjs) held in each configuration (2000)
#   DURATION        seconds of the OCPP steady phase and of each REST measurement (10)
#   HEARTBEAT       Heartbeat interval, s (30, >= 10); METER: MeterValues interval, s (10)
#   CONNECTORS      connectors per charger (2); RAMP: new connections per second (500); WORKERS: load processes (2)
#   COMMANDS        commands of each kind (same node, other node) for the round trip (200)
#   CMD_CHARGERS    extra chargers that answer GetConfiguration for the round trip (6)
#   CONNECTIONS     wrk connections for the REST reads (64); WRK_THREADS: wrk threads (2)
#   REST            REST reads to measure, from: me (GET /api/v1/me) chargers (GET /api/v1/chargers?limit=50, a full page of the registered chargers) (both)
#   CONFIGS         which configurations to run ("single cluster")
#   NODES           nodes in the cluster configuration (3)
#   NGINX_WORKERS   nginx worker_processes (1)
#   FG_THREADS      `fieldgrid serve --threads` of every node (unset: serve's default)
#   BASE_PORT       the single node listens on BASE_PORT, the cluster's nodes on BASE_PORT+1…, nginx on
#                   BASE_PORT+NODES+1 (18500)
#   FG_PG_PORT      the private PostgreSQL of tests/pg.sh (started if needed; databases fg_bench_cluster_*)
#   FG_BIN          fieldgrid binary (./build/fieldgrid; built with `make` if missing)
#   KEEP_TMP=1      keep the temporary directory (logs, nginx configuration, raw JSON results)
set -euo pipefail

CHARGERS=${CHARGERS:-2000}
DURATION=${DURATION:-10}
HEARTBEAT=${HEARTBEAT:-30}
METER=${METER:-10}
CONNECTORS=${CONNECTORS:-2}
RAMP=${RAMP:-500}
WORKERS=${WORKERS:-2}
COMMANDS=${COMMANDS:-200}
CMD_CHARGERS=${CMD_CHARGERS:-6}
CONNECTIONS=${CONNECTIONS:-64}
WRK_THREADS=${WRK_THREADS:-2}
REST=${REST:-"me chargers"}
CONFIGS=${CONFIGS:-"single cluster"}
NODES=${NODES:-3}
NGINX_WORKERS=${NGINX_WORKERS:-1}
FG_THREADS=${FG_THREADS:-}
BASE_PORT=${BASE_PORT:-18500}
HOST=127.0.0.1
LOADAVG0=$(cut -d' ' -f1-3 /proc/loadavg)

die() { printf 'bench/cluster: %s\n' "$*" >&2; exit 1; }
note() { printf 'bench/cluster: %s\n' "$*" >&2; }

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
FG_BIN=${FG_BIN:-./build/fieldgrid}
HERE=bench/cluster

# --- settings and tools ---------------------------------------------------------------------
for v in CHARGERS DURATION HEARTBEAT METER CONNECTORS RAMP WORKERS COMMANDS CMD_CHARGERS CONNECTIONS WRK_THREADS NODES NGINX_WORKERS BASE_PORT; do
  case ${!v} in ''|*[!0-9]*) die "$v must be a whole number, got '${!v}'";; esac
done
[ "$CHARGERS" -ge 1 ] || die "CHARGERS must be at least 1"
[ "$HEARTBEAT" -ge 10 ] || die "HEARTBEAT must be at least 10 s (the ledger's lower bound for heartbeat_interval)"
[ "$NODES" -ge 2 ] || die "NODES must be at least 2"
[ "$CMD_CHARGERS" -ge 1 ] && [ "$COMMANDS" -ge 1 ] || die "CMD_CHARGERS and COMMANDS must be at least 1"
for c in $CONFIGS; do case $c in single|cluster) ;; *) die "CONFIGS takes single and/or cluster, got '$c'";; esac; done
for r in $REST; do case $r in me|chargers) ;; *) die "REST takes me and/or chargers, got '$r'";; esac; done
command -v node >/dev/null || die "node not found: install it with scripts/setup.sh"
command -v curl >/dev/null || die "curl not found: install it with scripts/setup.sh"
WRK=$(command -v wrk || true)
[ -n "$WRK" ] || die "wrk not found: install it with scripts/setup.sh (Debian package 'wrk')"
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
[ -x "$NGINX" ] || die "nginx not found: install it with scripts/setup.sh (Debian package 'nginx')"
command -v psql >/dev/null || die "psql not found (Debian package 'postgresql-client')"
[ -d node_modules/ws ] || die "node_modules/ws missing: run npm ci"

# Every charger is a socket in the load generator, one in its node, and two in nginx.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
NOFILE=$(ulimit -n)
if [ "$NOFILE" != unlimited ] && [ $((CHARGERS * 2 + 1024)) -gt "$NOFILE" ]; then
  die "CHARGERS=$CHARGERS needs more file descriptors than this shell may open ($NOFILE, the hard limit; nginx holds two per charger): use CHARGERS <= $(((NOFILE - 1024) / 2))"
fi

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
for p in $(seq "$BASE_PORT" $((BASE_PORT + NODES + 1))); do
  port_in_use "$p" && die "port $p is already in use: set BASE_PORT"
done

if [ ! -x "$FG_BIN" ]; then
  note "$FG_BIN missing: running make"
  make -j"$(nproc)" || die "make failed"
fi

"$ROOT/tests/pg.sh" start >/dev/null || die "tests/pg.sh start failed (FG_PG_PORT=${FG_PG_PORT:-default})"

# --- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldgrid-bench-cluster.XXXXXX")
PIDS=()
stop() {  # stop PID: TERM, wait up to 15 s (a node drains its chargers), then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
stop_all() { local p; for p in "${PIDS[@]}"; do stop "$p"; done; PIDS=(); }
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_all
  if [ "${KEEP_TMP:-0}" = 1 ]; then note "kept $TMP"; else rm -rf "$TMP"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

PW="Bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')9"
json_get() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=process.argv[1].split(".").reduce((o,k)=>o==null?o:o[k],JSON.parse(s));console.log(v??"")})' "$1"; }
wait_health() {  # wait_health URL PID LOG: up to 20 s
  local url=$1 pid=$2 log=$3
  for _ in $(seq 200); do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then tail -n 20 "$log" >&2; die "$url: the server exited during start-up"; fi
    curl -fsS -o /dev/null "$url/api/v1/health" 2>/dev/null && return 0
    sleep 0.1
  done
  tail -n 20 "$log" >&2
  die "$url did not answer GET /api/v1/health within 20 s"
}
run_wrk() {  # run_wrk OUT URL: prints "<req/s> <p50> <p99> <non-2xx+errors>"
  local out=$1 url=$2 rps p50 p99 bad
  "$WRK" -t"$WRK_THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "Authorization: Bearer $TOKEN" "$url" >"$out" 2>&1 || true
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" && !done {print $2; done=1}' "$out")
  p99=$(awk '$1 == "99%" && !done {print $2; done=1}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {n+=$NF} /Socket errors:/ {for(i=3;i<=NF;i++) if ($i ~ /^[0-9]+,?$/) n+=$i} END {print n+0}' "$out")
  echo "${rps:-?} ${p50:-?} ${p99:-?} ${bad:-?}"
}
rest_path() { case $1 in me) echo "/api/v1/me" ;; chargers) echo "/api/v1/chargers?limit=50" ;; esac; }

# --- one configuration ----------------------------------------------------------------------------
# run_config NAME N: N nodes (1: the single node, its own front; more: nginx in front); results in $TMP/NAME/
run_config() {
  local name=$1 n=$2 dir="$TMP/$1" db i port pid front ocpp_url ports=() bases=() pids=() nodeids=()
  mkdir -p "$dir"
  db=$("$ROOT/tests/pg.sh" newdb "fg_bench_cluster_$name") || die "tests/pg.sh newdb failed"
  note "[$name] fieldgrid init on $db"
  FIELDGRID_ADMIN_PASSWORD=$PW "$FG_BIN" init --data "$dir/init" --db "$db" >"$dir/init.log" 2>&1 \
    || { cat "$dir/init.log" >&2; die "fieldgrid init failed"; }
  for i in $(seq 1 "$n"); do
    if [ "$n" = 1 ]; then port=$BASE_PORT; else port=$((BASE_PORT + i)); fi
    mkdir -p "$dir/node$i"
    local args=(serve --data "$dir/node$i" --db "$db" --listen "$HOST:$port")
    [ -n "$FG_THREADS" ] && args+=(--threads "$FG_THREADS")
    "$FG_BIN" "${args[@]}" >"$dir/node$i.log" 2>&1 &
    pid=$!
    PIDS+=("$pid"); pids+=("$pid"); ports+=("$port"); bases+=("http://$HOST:$port")
  done
  for i in $(seq 0 $((n - 1))); do
    wait_health "${bases[$i]}" "${pids[$i]}" "$dir/node$((i + 1)).log"
    nodeids+=("$(curl -fsS "${bases[$i]}/api/v1/health" | json_get node)")
  done
  curl -fsS "${bases[0]}/api/v1/health" | json_get version >"$TMP/version"
  note "[$name] $n node(s) up: ${nodeids[*]} (pids ${pids[*]})"
  if [ "$n" = 1 ]; then
    front=${bases[0]}
  else
    local nport=$((BASE_PORT + NODES + 1))
    node "$HERE/nginxconf.mjs" --dir "$dir/nginx" --listen "$nport" --nodes "$(IFS=,; echo "${ports[*]}")" \
      --workers "$NGINX_WORKERS" --connections $((CHARGERS * 2 + CMD_CHARGERS * 2 + CONNECTIONS * 2 + 512))
    "$NGINX" -p "$dir/nginx" -c "$dir/nginx/nginx.conf" -e "$dir/nginx/error.log" >"$dir/nginx/stderr.log" 2>&1 &
    pid=$!
    PIDS+=("$pid")
    front="http://$HOST:$nport"
    wait_health "$front" "$pid" "$dir/nginx/stderr.log"
    sleep 0.5
    local ngpids
    ngpids=$(pgrep -P "$pid" | paste -sd, -)
    note "[$name] nginx on $front (master $pid, workers $ngpids)"
    echo "$pid${ngpids:+,$ngpids}" >"$dir/nginx.pids"
  fi
  ocpp_url="ws://${front#http://}/ocpp"
  echo "$front" >"$dir/front"
  echo "${nodeids[*]}" >"$dir/nodes"

  note "[$name] registering $CHARGERS chargers through $front"
  node bench/ocpp/register.mjs --base "$front" --password "$PW" --count "$CHARGERS" --out "$dir/chargers.txt" \
    --concurrency 16 --connectors "$CONNECTORS" --heartbeat "$HEARTBEAT" --security 1 >"$dir/register.json" \
    || die "[$name] registering chargers failed"

  # where the chargers are held, read from the presence records once the ramp is over (during the steady phase)
  (
    for _ in $(seq 1200); do
      [ -f "$dir/load.json" ] && grep -q '"ramp"' "$dir/load.json" 2>/dev/null && break
      sleep 0.25
    done
    psql "$db" -Atc "SELECT p.node_id, count(*) FROM charger_presence p JOIN cluster_nodes n ON n.id = p.node_id
      WHERE n.stopped_at IS NULL AND n.lost_at IS NULL GROUP BY p.node_id ORDER BY p.node_id" >"$dir/spread.txt" 2>&1 || true
  ) &
  local spread_pid=$!

  note "[$name] OCPP load: $CHARGERS chargers through $ocpp_url"
  node bench/ocpp/load.mjs --url "$ocpp_url" --chargers "$dir/chargers.txt" --name "$name" --pid "$(IFS=,; echo "${pids[*]}")" \
    --out "$dir/load.json" --count "$CHARGERS" --workers "$WORKERS" --ramp "$RAMP" --duration "$DURATION" \
    --heartbeat "$HEARTBEAT" --meter "$METER" --connectors "$CONNECTORS" --call-timeout 30 --storm-timeout 120 \
    || note "[$name] the load generator exited with an error"
  wait "$spread_pid" 2>/dev/null || true
  sleep 1

  note "[$name] command round trips: $COMMANDS of each kind, $CMD_CHARGERS chargers through $ocpp_url"
  node "$HERE/commands.mjs" --bases "$(IFS=,; echo "${bases[*]}")" --ocpp "$ocpp_url" --password "$PW" \
    --count "$COMMANDS" --chargers "$CMD_CHARGERS" --out "$dir/commands.json" \
    || note "[$name] the command round trips ended with an error"

  TOKEN=$(curl -fsS -H 'content-type: application/json' -d "{\"username\":\"admin\",\"password\":\"$PW\"}" "$front/api/v1/auth/login" | json_get token)
  [ -n "$TOKEN" ] || die "[$name] login failed"
  : >"$dir/rest.txt"
  for r in $REST; do
    local path
    path=$(rest_path "$r")
    curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$front$path" || note "[$name] GET $path failed before wrk"
    note "[$name] REST GET $path through $front: ${DURATION}s, $CONNECTIONS connections"
    echo "$r $(run_wrk "$dir/wrk-$r.txt" "$front$path")" >>"$dir/rest.txt"
  done
  # which nodes answered those reads (each node's access log: one line per request)
  for i in $(seq 1 "$n"); do
    echo "node$i $(grep -c 'GET /api/v1/\(me\|chargers\) ' "$dir/node$i.log" || true)" >>"$dir/rest_nodes.txt"
  done
  if [ "$n" -gt 1 ]; then  # the same reads straight to one node of the cluster: what the nginx hop costs here
    for r in $REST; do
      note "[$name] REST GET $(rest_path "$r") straight to node 1 (${bases[0]}): ${DURATION}s"
      echo "$r $(run_wrk "$dir/wrk-$r-direct.txt" "${bases[0]}$(rest_path "$r")")" >>"$dir/rest_direct.txt"
    done
  fi

  for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null || echo "a node (pid $p) was not running at the end" >>"$dir/warnings.txt"; done
  stop_all
  for i in $(seq 1 "$n"); do
    local nw ne
    nw=$(grep -c ' WARN ' "$dir/node$i.log" || true)
    ne=$(grep -c ' ERROR ' "$dir/node$i.log" || true)
    if [ "${nw:-0}" != 0 ] || [ "${ne:-0}" != 0 ]; then
      echo "node$i log: $nw WARN and $ne ERROR lines; the most frequent (ids and numbers cut):" >>"$dir/warnings.txt"
      grep -E ' (WARN|ERROR) ' "$dir/node$i.log" | cut -d' ' -f2- | sed -E 's/(BENCH|CMD)-[0-9-]+/\1-n/g; s/[0-9a-f]{8}-[0-9a-f-]{27}/ID/g; s/[0-9]+/N/g' \
        | sort | uniq -c | sort -rn | head -n 5 | sed 's/^/    /' >>"$dir/warnings.txt"
    fi
  done
  [ -f "$dir/nginx/error.log" ] && [ -s "$dir/nginx/error.log" ] && {
    echo "nginx error.log: $(wc -l <"$dir/nginx/error.log") lines; the most frequent:" >>"$dir/warnings.txt"
    cut -d' ' -f3- "$dir/nginx/error.log" | sed -E 's/\*[0-9]+ //; s/client: [^,]+, //; s/[0-9]+/N/g' | cut -c1-160 \
      | sort | uniq -c | sort -rn | head -n 4 | sed 's/^/    /' >>"$dir/warnings.txt"
  }
  return 0
}

DIRS=()
for c in $CONFIGS; do
  case $c in
  single) run_config single 1; DIRS+=("$TMP/single") ;;
  cluster) run_config cluster "$NODES"; DIRS+=("$TMP/cluster") ;;
  esac
done

# --- report -----------------------------------------------------------------------------------
mkdir -p bench/results
STAMP=$(date +%Y-%m-%dT%H%M%S)
RESULT="bench/results/cluster-$STAMP.txt"
CORES=$(nproc)
{
  echo "fieldgrid cluster benchmark, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "fieldgrid $(cat "$TMP/version" 2>/dev/null || echo '?'); $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') (worker_processes $NGINX_WORKERS) running docs/nginx/fieldgrid-cluster.conf; PostgreSQL $(psql -V | awk '{print $3}') (tests/pg.sh, one server for all)"
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')$( [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && echo ' (dirty tree)')"
  echo "machine: $CORES CPU core(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || uname -m); load average at start: $LOADAVG0, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "load: $CHARGERS chargers (raw ws, $WORKERS processes), ramp $RAMP/s, Heartbeat every ${HEARTBEAT}s, MeterValues every ${METER}s, steady ${DURATION}s; $COMMANDS commands of each kind over $CMD_CHARGERS chargers; REST: wrk -t$WRK_THREADS -c$CONNECTIONS -d${DURATION}s"
  echo "configurations run one after the other, each on a fresh database, on the same machine as the load generator"
  if [ "$CORES" -le 4 ]; then
    echo "NOTE: on $CORES cores every node, nginx, PostgreSQL and the load generator share the same cores: the point of"
    echo "this run is that the cluster is correct under load and what routing costs, not a speed-up."
  fi
  echo
  node "$HERE/report.mjs" "$CORES" "${DIRS[@]}"
} | tee "$RESULT"
echo
echo "written to $ROOT/$RESULT"
