// npm run migrate: applies the committed migrations to DATABASE_URL (or the embedded default),
// creates the embedded secrets file when needed, and checks the secrets against stored keys.
import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The client for the provider of DATABASE_URL, before anything loads it.
const generated = spawnSync(process.execPath, [path.join(process.cwd(), 'scripts', 'prisma-generate.mjs'), '--if-needed'], {
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (generated.status !== 0) process.exit(generated.status ?? 1);

try {
  const { prepareServer } = await import('../lib/startup');
  await prepareServer();
  console.log('The database is ready.');
} catch (error) {
  console.error(`\nCannot prepare the database: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
