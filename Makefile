# fieldgrid — plain GNU Makefile + pkg-config (see docs/architecture.md)
#   make            build build/fieldgrid and build/web (the web app as served: hashed names, brotli/gzip copies)
#   make run        install what is missing, build, create a demo database, serve it
#   make test       every test: unit, API (SQLite + PostgreSQL), browser, ASan/UBSan, fuzz
#   make asan       sanitizer build in build/asan/
#   make fuzz       libFuzzer targets in build/fuzz/ (clang)

PKGS     := libmicrohttpd jansson sqlite3 libpq libsodium libqrencode nettle libzip expat xlsxwriter libarchive libcurl
CC       ?= cc
MODE     ?= release
BUILD    := build
ifeq ($(MODE),asan)
BUILD    := build/asan
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
OPTFLAGS := -O1 -g
else
SANFLAGS :=
OPTFLAGS := -O2 -g -D_FORTIFY_SOURCE=2
endif

WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
            -Wpointer-arith -Wno-unused-parameter -Wvla
CFLAGS   ?=
CFLAGS   += -std=c17 -D_GNU_SOURCE $(OPTFLAGS) $(WARN) $(SANFLAGS) -fstack-protector-strong -MMD -MP \
            -Isrc -I$(BUILD)/gen $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lhpdf -lwslay -lpthread -lm
LDFLAGS  += $(SANFLAGS)

SRC      := $(shell find src -name '*.c' | sort)
LIBSRC   := $(filter-out src/main.c,$(SRC))
OBJ      := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(SRC))
LIBOBJ   := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIBSRC)) $(BUILD)/obj/gen/embedded.o
EMBEDDED := $(sort $(shell find migrations data -type f \( -name '*.sql' -o -name '*.json' \)))

UNITSRC  := $(sort $(wildcard tests/unit/test_*.c))
UNITBIN  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNITSRC))

.PHONY: all run test unit asan fuzz clean setup bench bench-ocpp bench-cluster bench-flow bench-web web
all: $(BUILD)/fieldgrid build/web/assets.json

# The web app as the server serves it (tools/webbuild.mjs; docs/operations.md "The web app's files"): web/ and the
# npm browser libraries, with content-hashed names in assets.json, an import map in the pages, and brotli and gzip
# copies made once here, never per request. One build/web for every MODE: it holds no compiled code.
WEBSRC   := $(shell find web -type f ! -name '.*')
WEBNPM   := $(wildcard package-lock.json node_modules/jsqr/dist/jsQR.js node_modules/echarts/dist/echarts.min.js node_modules/dexie/dist/modern/dexie.min.mjs)
web: build/web/assets.json
build/web/assets.json: tools/webbuild.mjs tools/webbundle.mjs tools/webstrings.mjs $(WEBSRC) $(WEBNPM)
	@echo "  WEB build/web"; node tools/webbuild.mjs web build/web node_modules

$(BUILD)/fieldgrid: $(BUILD)/obj/main.o $(LIBOBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	@echo "  CC  $<"; $(CC) $(CFLAGS) -c -o $@ $<

# Migrations and reference data are compiled into the binary, so one file is all a site installs.
$(BUILD)/gen/embedded.c: tools/embed.sh $(EMBEDDED)
	@mkdir -p $(dir $@)
	sh tools/embed.sh $(EMBEDDED) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIBOBJ)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $^ $(LDFLAGS) $(LDLIBS) $(shell pkg-config --libs cmocka)

unit: $(UNITBIN)
	@set -e; for t in $(UNITBIN); do echo "== $$t"; $$t; done

setup:
	sh scripts/setup.sh

run: setup all
	sh scripts/run-demo.sh

test: setup
	bash tests/run-all.sh

asan:
	$(MAKE) MODE=asan all $(patsubst $(BUILD)/%,build/asan/%,$(UNITBIN))

fuzz:
	bash tests/fuzz/build.sh

bench: all
	bash bench/http/run.sh

bench-ocpp: all
	bash bench/ocpp/run.sh

# bench/cluster: one node vs three behind nginx on one PostgreSQL (bench/README.md "Cluster"); not a test
bench-cluster: all
	bash bench/cluster/run.sh

# bench/flow: the flow engine's transitions against plain audited inserts (bench/README.md "Flow"); not a test
$(BUILD)/bench-flow: bench/flow/flow_bench.c $(LIBOBJ)
	$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

bench-flow: all $(BUILD)/bench-flow
	bash bench/flow/run.sh

# bench/web: bytes and time to interactive of the login and job pages on an emulated weak phone (bench/README.md "Web")
bench-web: all
	bash bench/web/run.sh

clean:
	rm -rf build

-include $(OBJ:.o=.d)
