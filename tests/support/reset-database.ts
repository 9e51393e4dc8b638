// Empties the browser tests' database before the servers start: a new PostgreSQL database, or
// no SQLite file at all; and no runtime data. Run by Playwright's webServer command.
import fs from 'node:fs';
import path from 'node:path';
import { createDatabase, databaseUrl } from '../../scripts/support/postgres-admin';
import { databaseProvider } from '../../lib/shared/database-url';

const url = process.env.DATABASE_URL!;
const provider = databaseProvider(url);
// The SQLite file and every instance's runtime data live under this folder.
fs.rmSync(path.resolve('.test-data', `e2e-${provider}`), { recursive: true, force: true });
if (provider === 'postgresql') {
  const name = new URL(url).pathname.slice(1);
  await createDatabase(databaseUrl(url, 'postgres'), name);
}
