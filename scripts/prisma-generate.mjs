// Generates the Prisma client for the provider of DATABASE_URL (SQLite when unset).
// Prisma 7's CLI wants a native schema engine that it downloads; `generate` does not use it,
// so we point it at a stub to work offline. Migrations are applied by scripts/migrate.ts.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY:
    process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, 'scripts', 'schema-engine-stub.sh'),
};
const result = spawnSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['generate'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
