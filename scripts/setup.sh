#!/bin/sh
# Installs what fieldgrid needs on Debian 12 and is missing: the packages in debian-packages.txt (apt-get) and the
# test tooling in package.json (npm ci). Safe to run again: it installs only what is missing.
set -eu
cd "$(dirname "$0")/.."
missing=""
for p in $(grep -v '^#' debian-packages.txt); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
command -v node >/dev/null 2>&1 || missing="$missing nodejs npm"
if [ -n "$missing" ]; then
  echo "setup: installing Debian packages:$missing"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/@seriousme/openapi-schema-validator ] ||
   [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
