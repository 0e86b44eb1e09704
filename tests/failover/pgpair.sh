#!/usr/bin/env bash
# A PostgreSQL primary and a streaming standby made from it by pg_basebackup, for tests/failover/ (issue 15 item 5).
# Synchronous replication: the primary acknowledges a commit only once the standby has it (docs/operations.md
# "Database failover"), so promoting the standby loses no acknowledged write. fsync is off as in tests/pg.sh: an
# immediate stop is not a power cut, the operating system keeps what was written.
#   pgpair.sh start          → prints the multi-host URL fieldgrid uses (target_session_attrs=read-write)
#   pgpair.sh kill-primary   → the primary stops at once (immediate: like a crash)
#   pgpair.sh promote        → the standby becomes the primary
#   pgpair.sh stop           → both stopped, their directories removed
set -euo pipefail
DIR=${FG_FAILOVER_DIR:-/tmp/fieldgrid-failover}
P1=${FG_FAILOVER_P1:-54371}
P2=${FG_FAILOVER_P2:-54372}
BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$BIN" ] || { echo "PostgreSQL server binaries not found" >&2; exit 1; }
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
psql1() { as_pg "$BIN/psql" -h 127.0.0.1 -p "$1" -U postgres -d postgres -Atqc "$2"; }

stop_all() {
  for d in primary standby; do
    [ -f "$DIR/$d/PG_VERSION" ] && as_pg "$BIN/pg_ctl" -D "$DIR/$d" -m immediate -w stop >/dev/null 2>&1 || true
  done
}

case "${1:-}" in
start)
  stop_all
  rm -rf "$DIR"
  mkdir -p "$DIR"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$DIR"
  as_pg "$BIN/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  as_pg "$BIN/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w -t 60 -o "-p $P1 -k $DIR -c listen_addresses=127.0.0.1 \
    -c wal_level=replica -c max_wal_senders=4 -c synchronous_commit=on -c max_connections=100 -c fsync=off" start >/dev/null
  as_pg "$BIN/createdb" -h 127.0.0.1 -p "$P1" -U postgres fieldgrid
  as_pg "$BIN/pg_basebackup" -h 127.0.0.1 -p "$P1" -U postgres -D "$DIR/standby" -X stream -R -c fast >/dev/null
  # synchronous from now on, set after the copy: the promoted standby must not wait for a standby of its own
  psql1 "$P1" "ALTER SYSTEM SET synchronous_standby_names = 'standby1'" >/dev/null
  psql1 "$P1" "SELECT pg_reload_conf()" >/dev/null
  # the name the primary waits for (the later line wins over the one -R wrote)
  echo "primary_conninfo = 'host=127.0.0.1 port=$P1 user=postgres application_name=standby1'" >> "$DIR/standby/postgresql.auto.conf"
  as_pg "$BIN/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w -t 60 -o "-p $P2 -k $DIR -c listen_addresses=127.0.0.1 \
    -c hot_standby=on -c max_connections=100 -c fsync=off" start >/dev/null
  for _ in $(seq 1 100); do
    [ "$(psql1 "$P1" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")" = sync ] && break
    sleep 0.1
  done
  [ "$(psql1 "$P1" "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'")" = sync ] ||
    { echo "the standby is not streaming synchronously" >&2; cat "$DIR/standby.log" >&2; exit 1; }
  echo "postgresql://postgres@127.0.0.1:$P1,127.0.0.1:$P2/fieldgrid?target_session_attrs=read-write&connect_timeout=2"
  ;;
kill-primary)
  as_pg "$BIN/pg_ctl" -D "$DIR/primary" -m immediate -w stop >/dev/null
  ;;
promote)
  as_pg "$BIN/pg_ctl" -D "$DIR/standby" -w -t 60 promote >/dev/null
  ;;
stop)
  stop_all
  rm -rf "$DIR"
  ;;
*) echo "usage: $0 start|kill-primary|promote|stop" >&2; exit 2 ;;
esac
