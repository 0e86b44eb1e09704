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
trap 'kill "${NPID:-}" "${PID:-}" 2>/dev/null || true; rm -rf "$W"' EXIT
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
  if [ -n "${VIA_NGINX:-}" ]; then via_nginx; fi
  kill -TERM "$PID"; wait "$PID" || true; PID=
}
# The same server behind nginx speaking HTTP/2 over TLS (a self-signed certificate made here), as a site would run
# it: one connection carries every request at once, where HTTP/1.1 gives a browser 6 connections to a host and each
# request waits its turn. nginx passes fieldgrid's answers through as they are (no compression of its own).
via_nginx() {
  local nginx; nginx=$(command -v nginx || echo /usr/sbin/nginx)
  [ -x "$nginx" ] || { echo "bench/web: no nginx, the HTTP/2 column is left out"; return; }
  mkdir -p "$W/nginx/temp" "$W/nginx/logs"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -keyout "$W/nginx/key.pem" \
    -out "$W/nginx/cert.pem" >/dev/null 2>&1
  NPORT=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1]);s.close()')
  cat >"$W/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $W/nginx/nginx.pid;
error_log $W/nginx/logs/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $W/nginx/temp/body;
    proxy_temp_path $W/nginx/temp/proxy;
    fastcgi_temp_path $W/nginx/temp/fastcgi;
    uwsgi_temp_path $W/nginx/temp/uwsgi;
    scgi_temp_path $W/nginx/temp/scgi;
    server {
        listen 127.0.0.1:$NPORT ssl http2;
        ssl_certificate $W/nginx/cert.pem;
        ssl_certificate_key $W/nginx/key.pem;
        location / {
            proxy_pass http://127.0.0.1:$PORT;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host \$http_host;
        }
    }
}
CONF
  "$nginx" -p "$W/nginx" -e "$W/nginx/logs/error.log" -c "$W/nginx/nginx.conf" &
  NPID=$!
  for _ in $(seq 1 50); do curl -skf "https://127.0.0.1:$NPORT/api/v1/health" >/dev/null 2>&1 && break; sleep 0.1; done
  # the certificate trusted by its key (not merely its errors ignored): Chrome keeps no cache for a host whose
  # certificate it does not trust, which would make the warm loads cold
  SPKI=$(openssl x509 -in "$W/nginx/cert.pem" -pubkey -noout | openssl pkey -pubin -outform der |
    openssl dgst -sha256 -binary | base64)
  CHROME_SPKI=$SPKI API_URL="http://127.0.0.1:$PORT" node bench/web/bench.mjs measure "https://127.0.0.1:$NPORT" "same, nginx HTTP/2 + TLS" \
    >"$W/h2.json"
  kill -TERM "$NPID"; wait "$NPID" || true
  FILES_H2=("$W/h2.json")
}
FILES_H2=()
VIA_NGINX=1 run "direct, HTTP/1.1" "$W/on.json" "$ROOT/build/web" FG_WEB_PLAIN=0
run "plain, no-cache (off)" "$W/off.json" "$ROOT/build/web" FG_WEB_PLAIN=1
FILES=("$W/on.json" "$W/off.json" "${FILES_H2[@]}")
if [ -n "${BEFORE_WEB:-}" ]; then
  run "before (old web/, plain)" "$W/before.json" "$BEFORE_WEB" FG_WEB_PLAIN=1
  FILES+=("$W/before.json")
fi
node bench/web/bench.mjs report "${FILES[@]}"
