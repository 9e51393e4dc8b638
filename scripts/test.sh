#!/usr/bin/env bash
# npm test: everything. Type-check, lint, unit, integration and browser tests on the embedded
# SQLite database; then the integration and browser tests again on PostgreSQL: on the cluster at
# TEST_POSTGRES_URL, or on a throwaway cluster started here on loopback (and stopped after).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
unset DATABASE_URL TEST_DATABASE
step() { printf '\n== %s\n\n' "$*"; }

step "SQLite: type-check, lint, unit and integration tests"
npm run typecheck
npm run lint
npx vitest run

step "SQLite: production build and browser tests"
npx next build
npx playwright test

PG_DIR=""
finish() {
  # Leave the generated client on the default provider, and stop the throwaway cluster.
  node scripts/prisma-generate.mjs >/dev/null 2>&1 || true
  if [ -n "$PG_DIR" ]; then
    if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$PG_BIN/pg_ctl -D $PG_DIR/data -m immediate stop" >/dev/null 2>&1 || true
    else "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true; fi
    rm -rf "$PG_DIR"
  fi
}
trap finish EXIT

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  INITDB=$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$INITDB" ]; then
    if [ -n "${CI:-}" ]; then echo "PostgreSQL is not installed (initdb not found)." >&2; exit 1; fi
    step "PostgreSQL is not installed: its suites were skipped. Install it (apt-get install postgresql) or set TEST_POSTGRES_URL."
    exit 0
  fi
  PG_BIN=$(dirname "$(readlink -f "$INITDB")")
  PG_DIR=$(mktemp -d /tmp/portal-pg-XXXXXX)
  PG_PORT=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
  START="$PG_BIN/initdb -D $PG_DIR/data --auth=trust -U postgres >$PG_DIR/initdb.log 2>&1 && $PG_BIN/pg_ctl -D $PG_DIR/data -l $PG_DIR/server.log -o '-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off' -w start >/dev/null"
  # initdb refuses to run as root: the cluster belongs to the postgres user then.
  if [ "$(id -u)" = 0 ]; then chown postgres "$PG_DIR"; su postgres -s /bin/sh -c "$START"; else sh -c "$START"; fi
  export TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
fi

step "PostgreSQL: integration tests"
DATABASE_URL="$TEST_POSTGRES_URL" node scripts/prisma-generate.mjs
TEST_DATABASE=postgresql npx vitest run --project integration

step "PostgreSQL: production build and browser tests"
DATABASE_URL="$TEST_POSTGRES_URL" NEXT_DIST_DIR=.next-postgresql npx next build
TEST_DATABASE=postgresql npx playwright test
