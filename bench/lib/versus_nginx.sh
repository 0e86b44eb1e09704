# fieldgrid against nginx serving the same bytes as static files, in the same run (sourced by bench/http/run.sh and
# bench/portal/run.sh; a measurement, not a test: it never fails because of a number; see bench/README.md).
#
# The sourcing script sets, before it sources this file:
#   BENCH                 its name (http, portal): messages, the seed bench/$BENCH/seed.mjs, bench/results/$BENCH-*.txt
#   BENCH_TITLE           the report's first line
#   BENCH_CONNECTIONS     default CONNECTIONS;  BENCH_FG_PORT, BENCH_NGINX_PORT: default ports
#   BENCH_ENDPOINTS       default ENDPOINTS (names);  BENCH_SEEDS: what the seed adds (a progress note)
# and defines:
#   bench_seeded          runs after the seed: reads what it needs from $SEED (JSON) with json_get
#   bench_path NAME       the path of endpoint NAME (die on an unknown name)
#   bench_auth NAME       the Authorization header line for NAME, or nothing
#   bench_data            the report's "data:" line
#   bench_goal            (optional) lines after the table: the bench's goal, row by row from ROWS
DURATION=${DURATION:-10}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-"$BENCH_CONNECTIONS"}
FG_PORT=${FG_PORT:-$BENCH_FG_PORT}
NGINX_PORT=${NGINX_PORT:-$BENCH_NGINX_PORT}
HOST=127.0.0.1
FG_DB=${FG_DB:-sqlite}
ENDPOINTS=${ENDPOINTS:-"$BENCH_ENDPOINTS"}
case $FG_DB in sqlite|pg) ;; *) echo "bench/$BENCH: FG_DB must be sqlite or pg, got '$FG_DB'" >&2; exit 1;; esac

die() { printf 'bench/%s: %s\n' "$BENCH" "$*" >&2; exit 1; }
note() { printf 'bench/%s: %s\n' "$BENCH" "$*" >&2; }

# --- repository root, whatever the current directory --------------------------------------
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)  # this file is bench/lib/versus_nginx.sh
cd "$ROOT"
FG_BIN=${FG_BIN:-./build/fieldgrid}

# --- tools ------------------------------------------------------------------------------
WRK=$(command -v wrk || true)
[ -n "$WRK" ] || die "wrk not found: install it with scripts/setup.sh (Debian package 'wrk', listed in debian-packages.txt)"
NGINX=$(command -v nginx || true)
[ -n "$NGINX" ] || { [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx; }
[ -n "$NGINX" ] || die "nginx not found (looked in PATH and /usr/sbin/nginx): install it with scripts/setup.sh (Debian package 'nginx-light', listed in debian-packages.txt)"
command -v curl >/dev/null || die "curl not found: install it with scripts/setup.sh (Debian package 'curl')"
if command -v python3 >/dev/null; then
  json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin).get(sys.argv[1]); print("" if v is None else v)' "$1"; }
elif command -v node >/dev/null; then
  json_get() { node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const v=JSON.parse(s)[process.argv[1]];console.log(v==null?"":v)})' "$1"; }
else
  die "need python3 or node to read JSON responses"
fi
case $DURATION in ''|*[!0-9]*) die "DURATION must be a whole number of seconds, got '$DURATION'";; esac
for p in "$FG_PORT" "$NGINX_PORT"; do
  case $p in ''|*[!0-9]*) die "ports must be numbers, got '$p'";; esac
done
[ "$FG_PORT" != "$NGINX_PORT" ] || die "FG_PORT and NGINX_PORT must differ"

port_in_use() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }
port_in_use "$FG_PORT" && die "port $FG_PORT is already in use: set FG_PORT"
port_in_use "$NGINX_PORT" && die "port $NGINX_PORT is already in use: set NGINX_PORT"

# --- build --------------------------------------------------------------------------------
if [ ! -x "$FG_BIN" ]; then
  note "$FG_BIN missing: running make"
  make -j"$(nproc)" || die "make failed"
  [ -x "$FG_BIN" ] || die "make did not produce $FG_BIN"
fi

# --- temporary directory and cleanup ----------------------------------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/fieldgrid-bench.XXXXXX")
FG_PID=
NGINX_PID=
stop() {  # stop PID: TERM, wait up to 5 s, then KILL
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop "$NGINX_PID"
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

# --- fieldgrid ------------------------------------------------------------------------------
# A throwaway admin password: letters and digits only (no JSON escaping needed), >= 10 chars, mixed kinds.
PW="Bench$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')9"
mkdir -p "$TMP/data"
DB_ARGS=()
if [ "$FG_DB" = pg ]; then
  "$ROOT/tests/pg.sh" start >/dev/null || die "tests/pg.sh start failed (FG_PG_PORT=${FG_PG_PORT:-default})"
  DB_ARGS=(--db "$("$ROOT/tests/pg.sh" newdb "fg_bench_$BENCH")") || die "tests/pg.sh newdb failed"
fi
note "fieldgrid init --data $TMP/data ${DB_ARGS[*]:-}"
FIELDGRID_ADMIN_PASSWORD=$PW "$FG_BIN" init --data "$TMP/data" "${DB_ARGS[@]}" >"$TMP/init.log" 2>&1 \
  || { cat "$TMP/init.log" >&2; die "fieldgrid init failed"; }
# the demo company (the bench's own seed adds what it reads)
note "fieldgrid demo"
FIELDGRID_DEMO_PASSWORD=$PW "$FG_BIN" demo --data "$TMP/data" "${DB_ARGS[@]}" >"$TMP/demo.log" 2>&1 \
  || { cat "$TMP/demo.log" >&2; die "fieldgrid demo failed"; }

THREAD_ARGS=()
[ -n "${FG_THREADS:-}" ] && THREAD_ARGS=(--threads "$FG_THREADS")
note "fieldgrid serve on $HOST:$FG_PORT (server output: $FG_LOG)"
"$FG_BIN" serve --data "$TMP/data" "${DB_ARGS[@]}" "${THREAD_ARGS[@]}" --listen "$HOST:$FG_PORT" >"$FG_LOG" 2>&1 &
FG_PID=$!

FG="http://$HOST:$FG_PORT"
ok=
for _ in $(seq 100); do
  if ! kill -0 "$FG_PID" 2>/dev/null; then show_fg_log; die "fieldgrid serve exited during start-up"; fi
  if curl -fsS -o /dev/null "$FG/api/v1/health" 2>/dev/null; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || { show_fg_log; die "fieldgrid did not answer GET /api/v1/health within 10 s"; }

# --- login, response bodies ---------------------------------------------------------------------
code=$(curl -sS -o "$TMP/login.json" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data "{\"username\":\"admin\",\"password\":\"$PW\"}" "$FG/api/v1/auth/login") || die "login request failed"
[ "$code" = 200 ] || { cat "$TMP/login.json" >&2; echo >&2; die "POST /api/v1/auth/login answered $code"; }
TOKEN=$(json_get token <"$TMP/login.json") || die "cannot parse the login response"
[ -n "$TOKEN" ] || { cat "$TMP/login.json" >&2; die "no token in the login response"; }

command -v node >/dev/null || die "node not found: bench/$BENCH/seed.mjs adds the data the reads show"
note "seeding: $BENCH_SEEDS (bench/$BENCH/seed.mjs)"
SEED=$(node "$ROOT/bench/$BENCH/seed.mjs" --base "$FG" --token "$TOKEN") || die "bench/$BENCH/seed.mjs failed"
bench_seeded

HTML="$TMP/nginx/html"
mkdir -p "$HTML"
declare -A BYTES
for ep in $ENDPOINTS; do
  path=$(bench_path "$ep")
  hdr=()
  auth=$(bench_auth "$ep")
  [ -z "$auth" ] || hdr=(-H "$auth")
  code=$(curl -sS -o "$HTML/$ep.json" -w '%{http_code}' "${hdr[@]}" "$FG$path") || die "GET $path failed"
  [ "$code" = 200 ] || { cat "$HTML/$ep.json" >&2; echo >&2; die "GET $path answered $code"; }
  # The static files are the very bodies fieldgrid sent, so their sizes match byte for byte.
  BYTES[$ep]=$(wc -c <"$HTML/$ep.json" | tr -d ' ')
done
curl -sS -o "$TMP/health.json" "$FG/api/v1/health" || die "GET /api/v1/health failed"
FG_VERSION=$(json_get version <"$TMP/health.json" 2>/dev/null || echo '?')
FG_DB_NAME=$(json_get db <"$TMP/health.json" 2>/dev/null || echo '?')

# --- nginx --------------------------------------------------------------------------------
# nginx's master runs as root here, its workers as 'nobody': they must be able to read the files.
chmod 755 "$TMP" "$TMP/nginx" "$HTML"
chmod 644 "$HTML"/*.json
NCONF="$TMP/nginx/nginx.conf"
mkdir -p "$TMP/nginx/logs" "$TMP/nginx/temp"
cat >"$NCONF" <<EOF
# generated by bench/$BENCH/run.sh
worker_processes 2;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type application/json;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    client_body_temp_path $TMP/nginx/temp/body;
    proxy_temp_path $TMP/nginx/temp/proxy;
    fastcgi_temp_path $TMP/nginx/temp/fastcgi;
    uwsgi_temp_path $TMP/nginx/temp/uwsgi;
    scgi_temp_path $TMP/nginx/temp/scgi;
    server {
        listen $HOST:$NGINX_PORT;
        root $HTML;
        location / { }
    }
}
EOF
"$NGINX" -t -q -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$NCONF" \
  || die "nginx rejected the generated config $NCONF"
note "nginx on $HOST:$NGINX_PORT (prefix $TMP/nginx)"
"$NGINX" -p "$TMP/nginx" -e "$TMP/nginx/logs/error.log" -c "$NCONF" &
NGINX_PID=$!
NG="http://$HOST:$NGINX_PORT"
ok=
for _ in $(seq 100); do
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$TMP/nginx/logs/error.log" >&2 || true; die "nginx exited during start-up"; }
  if curl -fsS -o /dev/null "$NG/" 2>/dev/null || curl -sS -o /dev/null "$NG/" 2>/dev/null; then ok=1; break; fi
  sleep 0.1
done
[ -n "$ok" ] || { cat "$TMP/nginx/logs/error.log" >&2 || true; die "nginx did not answer within 10 s"; }
for f in $ENDPOINTS; do
  n=$(curl -fsS "$NG/$f.json" | wc -c | tr -d ' ')
  [ "$n" = "${BYTES[$f]}" ] || die "nginx served $n bytes for $f.json, expected ${BYTES[$f]}"
done

# --- wrk --------------------------------------------------------------------------------------
# run_wrk NAME CONNS URL [header]: prints "<req/s> <p50> <p99>"; wrk's full output stays in $TMP/wrk/NAME-cCONNS.txt
mkdir -p "$TMP/wrk"
run_wrk() {
  local conns=$2 url=$3 hdr=${4:-} out="$TMP/wrk/$1-c$2.txt" rps p50 p99
  local args=(-t"$THREADS" -c"$conns" -d"${DURATION}s" --latency)
  [ -n "$hdr" ] && args+=(-H "$hdr")
  "$WRK" "${args[@]}" "$url" >"$out" 2>&1 || true
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out")
  p50=$(awk '$1 == "50%" && !done {print $2; done=1}' "$out")
  p99=$(awk '$1 == "99%" && !done {print $2; done=1}' "$out")
  echo "${rps:-?} ${p50:-?} ${p99:-?}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a+0 <= 0 || b+0 <= 0) print "?"; else if (a/b >= 0.1) printf "%.2f", a/b; else printf "%.2g", a/b }'; }

ROWS=()
for c in $CONNECTIONS; do
  for ep in $ENDPOINTS; do
    path=$(bench_path "$ep")
    hdr=$(bench_auth "$ep")
    note "c=$c  fieldgrid GET $path (${DURATION}s)"; read -r frps fp50 fp99 < <(run_wrk "fieldgrid-$ep" "$c" "$FG$path" "$hdr")
    kill -0 "$FG_PID" 2>/dev/null || { show_fg_log; die "fieldgrid died during the run of $path"; }
    note "c=$c  nginx /$ep.json (${DURATION}s)"; read -r nrps np50 np99 < <(run_wrk "nginx-$ep" "$c" "$NG/$ep.json")
    ROWS+=("$ep (${BYTES[$ep]} B)|$c|$frps|$fp50|$fp99|$nrps|$np99|$(ratio "$frps" "$nrps")")
  done
done
# Errors wrk counted, from its saved outputs.
WARNINGS=()
for f in "$TMP"/wrk/*.txt; do
  extra=$(grep -E '^[[:space:]]*(Non-2xx or 3xx responses|Socket errors):' "$f" | sed 's/^[[:space:]]*//' | paste -sd ';' - || true)
  [ -n "$extra" ] && WARNINGS+=("$(basename "$f" .txt): $extra")
  grep -q '^Requests/sec:' "$f" || WARNINGS+=("$(basename "$f" .txt): no Requests/sec line: $(tail -n 1 "$f")")
done

# --- report -----------------------------------------------------------------------------------
mkdir -p bench/results
STAMP=$(date +%Y-%m-%dT%H%M%S)
RESULT="bench/results/$BENCH-$STAMP.txt"
LOG_BYTES=$( [ -f "$FG_LOG" ] && wc -c <"$FG_LOG" | tr -d ' ' || echo 0)
{
  echo "$BENCH_TITLE, $(date '+%Y-%m-%d %H:%M:%S %z')"
  echo "fieldgrid $FG_VERSION ($FG_DB_NAME${FG_THREADS:+, --threads $FG_THREADS}) at $HOST:$FG_PORT; $("$NGINX" -v 2>&1 | sed 's/^nginx version: //') (worker_processes 2, access_log off) at $HOST:$NGINX_PORT"
  echo "git $(git rev-parse --short HEAD 2>/dev/null || echo 'no commit')$( [ -n "$(git status --porcelain 2>/dev/null | head -n 1)" ] && echo ' (dirty tree)')"
  echo "machine: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: //' || uname -m); $(uname -sr)"
  echo "load: $("$WRK" -v 2>&1 | head -n 1 | awk '{print $1, $2}') -t$THREADS -d${DURATION}s --latency, on the same machine as the servers"
  echo "fieldgrid output (access log, one line per request) went to $( [ "$FG_LOG" = /dev/null ] && echo /dev/null || echo "a file: $LOG_BYTES bytes written")"
  echo "response cache: FG_HTTP_CACHE_MS=${FG_HTTP_CACHE_MS:-1000} ($( [ "${FG_HTTP_CACHE_MS:-1000}" = 0 ] && echo 'off: every answer built afresh' || echo 'on: repeated reads of unchanged data answered from memory'); docs/api.md \"Polled reads\")"
  echo "data: $(bench_data)"
  echo "nginx serves the exact bodies fieldgrid returned, as static files of the same size"
  echo
  for ep in $ENDPOINTS; do printf '  %-8s GET %s\n' "$ep" "$(bench_path "$ep")"; done
  echo
  printf '%-18s %5s %13s %8s %8s %12s %9s %8s\n' endpoint conns 'fieldgrid r/s' 'fg p50' 'fg p99' 'nginx r/s' 'ngx p99' 'fg/nginx'
  for r in "${ROWS[@]}"; do
    IFS='|' read -r e c a b d f g h <<<"$r"
    printf '%-18s %5s %13s %8s %8s %12s %9s %8s\n' "$e" "$c" "$a" "$b" "$d" "$f" "$g" "$h"
  done
  if declare -F bench_goal >/dev/null; then echo; bench_goal; fi
  if [ ${#WARNINGS[@]} -gt 0 ]; then
    echo
    echo "warnings (errors counted by wrk; a run with errors measures partly something else):"
    for w in "${WARNINGS[@]}"; do echo "  $w"; done
  fi
} | tee "$RESULT"
echo
echo "written to $ROOT/$RESULT"
