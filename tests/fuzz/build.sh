#!/usr/bin/env bash
# Builds every tests/fuzz/fuzz_*.c with clang's libFuzzer + ASan + UBSan against the parsers they target, and
# (with "run SECONDS") runs each for that long on its checked-in corpus. A crash keeps its input as
# tests/fuzz/crash-* and fails the step.
#   tests/fuzz/build.sh            build only
#   tests/fuzz/build.sh run 20     build and run each target 20 s
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=build/fuzz
mkdir -p "$OUT"
CC=${FUZZ_CC:-clang}
PKGS="libmicrohttpd jansson libsodium libzip expat"
FLAGS="-std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -Isrc $(pkg-config --cflags $PKGS)"
LIBS="$(pkg-config --libs $PKGS) -lm"
# the parsers under test, compiled with coverage (fuzzing gets no signal from uninstrumented code)
PARSERS="src/core/http/jbody.c src/core/http/lang.c src/core/http/static_neg.c src/core/http/device_time.c src/core/base/err.c src/core/base/errcat.c src/core/base/util.c src/fieldwork/steps/steps_records.c src/shared/attach/sniff.c src/fieldwork/evaluation/evaluation_calc.c src/core/ocpp/ocpp_frame.c src/core/ocpp/ocpp_schema.c src/core/base/sheet.c src/core/base/csv.c src/core/base/xlsx.c src/shared/notify/notify_text.c src/customer/portal/portal_input.c src/metering/collection/collection_parse.c"
for t in tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  $CC $FLAGS -o "$OUT/$name" "$t" $PARSERS $LIBS
done
echo "fuzz targets built in $OUT"
[ "${1:-}" = run ] || exit 0
SECS=${2:-15}
status=0
for t in tests/fuzz/fuzz_*.c; do
  name=$(basename "$t" .c)
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "-- $name for ${SECS}s"
  if ! "$OUT/$name" -max_total_time="$SECS" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix=tests/fuzz/ -print_final_stats=1 "$work" 2>"$OUT/$name.log"; then
    echo "FAIL: $name found a problem:"; tail -40 "$OUT/$name.log"; status=1
  else
    grep -E "stat::number_of_executed_units|Done" "$OUT/$name.log" | tail -2
  fi
  rm -rf "$work"
done
exit $status
