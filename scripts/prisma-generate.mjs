// Generates the Prisma client for the provider of DATABASE_URL (SQLite when unset).
// Prisma 7's CLI wants a native schema engine that it downloads; `generate` does not use it,
// so we point it at a stub to work offline. Migrations are applied by scripts/migrate.ts.
// With --if-needed it does nothing when the client is already for this provider and newer than
// the schema (so that scripts can call it while other processes load the client).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const provider = /^postgres(ql)?:\/\//.test(process.env.DATABASE_URL ?? '') ? 'postgresql' : 'sqlite';

function upToDate() {
  const generated = path.join(root, 'lib', 'generated', 'prisma', 'internal', 'class.ts');
  if (!fs.existsSync(generated)) return false;
  if (!fs.readFileSync(generated, 'utf8').includes(`"activeProvider": "${provider}"`)) return false;
  const schemas = [path.join(root, 'prisma', 'models.prisma'), path.join(root, 'prisma', provider, 'schema.prisma')];
  const built = fs.statSync(generated).mtimeMs;
  return schemas.every((file) => fs.statSync(file).mtimeMs <= built);
}

if (process.argv.includes('--if-needed') && upToDate()) process.exit(0);

const env = {
  ...process.env,
  CHECKPOINT_DISABLE: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, 'scripts', 'schema-engine-stub.sh'),
};
const result = spawnSync(path.join(root, 'node_modules', '.bin', 'prisma'), ['generate'], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
