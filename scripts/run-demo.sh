#!/bin/sh
# make run: a SQLite database with the demo company under ./var (git-ignored), then the server in the foreground.
# Not ./data: that is the reference data compiled into the binary, and runtime files there would end up in commits.
set -eu
cd "$(dirname "$0")/.."
DATA=${FIELDGRID_DATA:-./var}
LISTEN=${FIELDGRID_LISTEN:-127.0.0.1:8080}
./build/fieldgrid init --data "$DATA"
./build/fieldgrid demo --data "$DATA"
echo
echo "fieldgrid: open http://$LISTEN/ and sign in as admin (password printed above when first created)."
echo "           Ctrl-C stops the server."
exec ./build/fieldgrid serve --data "$DATA" --listen "$LISTEN"
