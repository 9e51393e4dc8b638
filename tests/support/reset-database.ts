// Empties the browser tests' database before the servers start: a new PostgreSQL database, or
// no SQLite file at all; and no runtime data. Run by Playwright's webServer command.
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { databaseProvider } from '../../lib/database-url';

const url = process.env.DATABASE_URL!;
const provider = databaseProvider(url);
// The SQLite file and every instance's runtime data live under this folder.
fs.rmSync(path.resolve('.test-data', `e2e-${provider}`), { recursive: true, force: true });
if (provider === 'postgresql') {
  const target = new URL(url);
  const name = target.pathname.slice(1);
  target.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: target.toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
}
