import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import { databaseProvider, sqliteFile } from './database-url';

/**
 * Applies the committed migrations (prisma/<provider>/migrations/<name>/migration.sql) and
 * records them in `_prisma_migrations` the way `prisma migrate deploy` does (sha256 checksum of
 * the file, one row per migration), so that Prisma's own CLI agrees on a connected machine.
 * Prisma's CLI needs a native schema engine that cannot be downloaded here; this runner does not.
 */

export type MigrationResult = { applied: string[]; alreadyApplied: string[] };

const SQLITE_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    TEXT PRIMARY KEY NOT NULL,
    "checksum"              TEXT NOT NULL,
    "finished_at"           DATETIME,
    "migration_name"        TEXT NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        DATETIME,
    "started_at"            DATETIME NOT NULL DEFAULT current_timestamp,
    "applied_steps_count"   INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export function migrationsDir(provider: string, root = process.cwd()): string {
  return path.join(root, 'prisma', provider, 'migrations');
}

export type MigrationFile = { name: string; sql: string; checksum: string };

export function readMigrations(dir: string): MigrationFile[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

async function migrateSqlite(client: Client, migrations: MigrationFile[]): Promise<MigrationResult> {
  // WAL lets the portal read while another process writes; it is a property of the file.
  await client.execute('PRAGMA journal_mode = WAL');
  await client.execute(SQLITE_MIGRATIONS_TABLE);
  const rows = await client.execute(
    'SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"',
  );
  const result: MigrationResult = { applied: [], alreadyApplied: [] };
  for (const migration of migrations) {
    const records = rows.rows.filter((row) => row.migration_name === migration.name && row.rolled_back_at === null);
    if (records.some((row) => row.finished_at === null)) {
      throw new Error(
        `Migration ${migration.name} failed earlier and is recorded as unfinished. Repair the database, ` +
          `then mark it rolled back in _prisma_migrations before starting again.`,
      );
    }
    const done = records.find((row) => row.finished_at !== null);
    if (done) {
      if (done.checksum !== migration.checksum) {
        throw new Error(`Migration ${migration.name} was changed after it was applied. Restore the original file.`);
      }
      result.alreadyApplied.push(migration.name);
      continue;
    }
    const id = randomUUID();
    await client.execute({
      sql: 'INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES (?, ?, ?, ?, 0)',
      args: [id, migration.checksum, migration.name, Date.now()],
    });
    try {
      // One transaction per migration: either all of it applies or none of it does.
      await client.executeMultiple(`BEGIN;\n${migration.sql}\nCOMMIT;`);
    } catch (error) {
      await client.executeMultiple('ROLLBACK;').catch(() => undefined);
      await client.execute({
        sql: 'UPDATE "_prisma_migrations" SET logs = ? WHERE id = ?',
        args: [error instanceof Error ? error.message : String(error), id],
      });
      throw new Error(`Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
    await client.execute({
      sql: 'UPDATE "_prisma_migrations" SET finished_at = ?, applied_steps_count = 1 WHERE id = ?',
      args: [Date.now(), id],
    });
    result.applied.push(migration.name);
  }
  return result;
}

/** Brings the database at `databaseUrl` (absolute) up to the committed migrations. */
export async function migrate(databaseUrl: string, root = process.cwd()): Promise<MigrationResult> {
  const provider = databaseProvider(databaseUrl);
  const migrations = readMigrations(migrationsDir(provider, root));
  if (provider !== 'sqlite') throw new Error(`No migration runner for ${provider} yet.`);
  fs.mkdirSync(path.dirname(sqliteFile(databaseUrl)), { recursive: true });
  const client = createClient({ url: databaseUrl });
  try {
    return await migrateSqlite(client, migrations);
  } finally {
    client.close();
  }
}
