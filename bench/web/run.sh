#!/usr/bin/env bash
# bench/web: bytes transferred and time to interactive of the login page and a crew member's job page on an
# emulated weak phone (Fast 3G, CPU 4× slower), cold and warm, served as a site serves them (build/web: brotli,
# hashed names, immutable caching, ETags) beside the same pages with compression and caching turned off
# (FG_WEB_PLAIN=1: plain bytes, no-cache, no validators: what every load cost before issue 14). One run, one demo
# database, the two servers one after the other. A bench, not a test: it fails only when it cannot measure.
#   bench/web/run.sh            (or: make bench-web)          bench/README.md "Web"
#   BEFORE_WEB=/path/to/old/web bench/web/run.sh   adds a third column: an older web/ (sources, eager imports)
#                                                   served plain, e.g. a checkout of the commit before issue 14
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
BIN=${BIN:-$ROOT/build/fieldgrid}
[ -x "$BIN" ] && [ -f build/web/assets.json ] || make -j2 all
W=$(mktemp -d /tmp/fg-bench-web-XXXXXX)
trap 'kill "${PID:-}" 2>/dev/null || true; rm -rf "$W"' EXIT
export FIELDGRID_ADMIN_PASSWORD=Bench-web-pass1 FIELDGRID_DEMO_PASSWORD=Bench-web-demo1
"$BIN" init --data "$W/data" >"$W/init.log" 2>&1 || { cat "$W/init.log"; exit 1; }
"$BIN" demo --data "$W/data" >>"$W/init.log" 2>&1 || { cat "$W/init.log"; exit 1; }
run() { # LABEL OUT WEBROOT [ENV=VALUE]
  local label=$1 out=$2 web=$3; shift 3
  PORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  env "$@" "$BIN" serve --data "$W/data" --listen "127.0.0.1:$PORT" --web "$web" 2>"$W/server.log" &
  PID=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
  node bench/web/bench.mjs measure "http://127.0.0.1:$PORT" "$label" >"$out"
  kill -TERM "$PID"; wait "$PID" || true; PID=
}
run "compressed + cached" "$W/on.json" "$ROOT/build/web" FG_WEB_PLAIN=0
run "plain, no-cache (off)" "$W/off.json" "$ROOT/build/web" FG_WEB_PLAIN=1
FILES=("$W/on.json" "$W/off.json")
if [ -n "${BEFORE_WEB:-}" ]; then
  run "before (old web/, plain)" "$W/before.json" "$BEFORE_WEB" FG_WEB_PLAIN=1
  FILES+=("$W/before.json")
fi
node bench/web/bench.mjs report "${FILES[@]}"
