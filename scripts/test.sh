#!/usr/bin/env bash
# npm test: everything. Type-check, lint, unit, integration and browser tests on the embedded
# SQLite database; then the integration and browser tests again on PostgreSQL: on the cluster at
# TEST_POSTGRES_URL, or on a throwaway cluster started here on loopback (and stopped after).
set -euo pipefail
cd "$(dirname "$0")/.."
export NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
unset DATABASE_URL TEST_DATABASE
step() { printf '\n== %s\n\n' "$*"; }

step "SQLite: type-check, lint, format check, unit and integration tests"
npm run typecheck
npm run lint
npm run format:check
npx vitest run

step "SQLite: production build and browser tests"
npx next build
npx playwright test

PG_DIR=""
finish() {
  # Leave the generated client on the default provider, and stop the throwaway cluster.
  node scripts/prisma-generate.mjs >/dev/null 2>&1 || true
  if [ -n "$PG_DIR" ]; then bash scripts/pg-throwaway.sh stop "$PG_DIR"; fi
}
trap finish EXIT

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  set +e
  CLUSTER=$(bash scripts/pg-throwaway.sh start)
  status=$?
  set -e
  if [ $status = 3 ] && [ -z "${CI:-}" ]; then
    step "PostgreSQL is not installed: its suites were skipped. Install it (apt-get install postgresql) or set TEST_POSTGRES_URL."
    exit 0
  fi
  [ $status = 0 ] || exit $status
  export TEST_POSTGRES_URL=${CLUSTER% *}
  PG_DIR=${CLUSTER#* }
fi

step "PostgreSQL: integration tests"
DATABASE_URL="$TEST_POSTGRES_URL" node scripts/prisma-generate.mjs
TEST_DATABASE=postgresql npx vitest run --project integration

step "PostgreSQL: production build and browser tests"
DATABASE_URL="$TEST_POSTGRES_URL" NEXT_DIST_DIR=.next-postgresql npx next build
TEST_DATABASE=postgresql npx playwright test
