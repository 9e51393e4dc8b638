#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback, for tests and benchmarks.
#   pg-throwaway.sh start      prints "<superuser URL> <folder>" (exit 3 when PostgreSQL is not installed)
#   pg-throwaway.sh stop DIR   stops it and removes its folder
set -euo pipefail
INITDB=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$INITDB" ] || { echo "PostgreSQL is not installed (initdb not found)." >&2; exit 3; }
PG_BIN=$(dirname "$(readlink -f "$INITDB")")

as_owner() {
  # initdb refuses to run as root: the cluster belongs to the postgres user then.
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

case "${1:-}" in
  start)
    DIR=$(mktemp -d /tmp/portal-pg-XXXXXX)
    [ "$(id -u)" = 0 ] && chown postgres "$DIR"
    PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
    as_owner "$PG_BIN/initdb -D $DIR/data --auth=trust -U postgres >$DIR/initdb.log 2>&1 && $PG_BIN/pg_ctl -D $DIR/data -l $DIR/server.log -o '-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200' -w start >/dev/null"
    echo "postgresql://postgres@127.0.0.1:$PORT/postgres $DIR"
    ;;
  stop)
    DIR=${2:?folder}
    as_owner "$PG_BIN/pg_ctl -D $DIR/data -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$DIR"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
