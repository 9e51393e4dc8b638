import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createClient, type Client } from '@libsql/client';
import pg from 'pg';
import { databaseProvider, sqliteFile } from './shared/database-url';
import { makePrivateDir, PRIVATE_FILE_MODE } from './file-modes';

/**
 * Applies the committed migrations (prisma/<provider>/migrations/<name>/migration.sql) and
 * records them in `_prisma_migrations` the way `prisma migrate deploy` does (sha256 checksum of
 * the file, one row per migration), so that Prisma's own CLI agrees on a connected machine.
 * Prisma's CLI needs a native schema engine that cannot be downloaded here; this runner does not.
 */

export type MigrationResult = { applied: string[] };

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
  const rows = await client.execute('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"');
  const result: MigrationResult = { applied: [] };
  const records = rows.rows.map((row) => ({
    migration_name: row.migration_name,
    checksum: row.checksum,
    finished_at: row.finished_at,
    rolled_back_at: row.rolled_back_at,
  }));
  for (const migration of pending(migrations, records)) {
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

const POSTGRES_MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id"                    VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum"              VARCHAR(64) NOT NULL,
    "finished_at"           TIMESTAMPTZ,
    "migration_name"        VARCHAR(255) NOT NULL,
    "logs"                  TEXT,
    "rolled_back_at"        TIMESTAMPTZ,
    "started_at"            TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count"   INTEGER NOT NULL DEFAULT 0
)`;

/** The advisory lock Prisma's migrate takes, so that two instances starting at once take turns. */
const POSTGRES_MIGRATION_LOCK = 72707369;

type MigrationRecord = { migration_name: unknown; checksum: unknown; finished_at: unknown; rolled_back_at: unknown };

/** Which migrations still need applying; throws on an edited or a failed one (as Prisma does). */
function pending(migrations: MigrationFile[], records: MigrationRecord[]): MigrationFile[] {
  return migrations.filter((migration) => {
    const mine = records.filter((row) => row.migration_name === migration.name && row.rolled_back_at === null);
    if (mine.some((row) => row.finished_at === null)) {
      throw new Error(
        `Migration ${migration.name} failed earlier and is recorded as unfinished. Repair the database, ` +
          `then mark it rolled back in _prisma_migrations before starting again.`,
      );
    }
    const done = mine.find((row) => row.finished_at !== null);
    if (!done) return true;
    if (done.checksum !== migration.checksum) {
      throw new Error(`Migration ${migration.name} was changed after it was applied. Restore the original file.`);
    }
    return false;
  });
}

async function migratePostgres(client: pg.Client, migrations: MigrationFile[]): Promise<MigrationResult> {
  await client.query('SELECT pg_advisory_lock($1)', [POSTGRES_MIGRATION_LOCK]);
  try {
    await client.query(POSTGRES_MIGRATIONS_TABLE);
    const records = (await client.query('SELECT migration_name, checksum, finished_at, rolled_back_at FROM "_prisma_migrations"')).rows;
    const result: MigrationResult = { applied: [] };
    for (const migration of pending(migrations, records)) {
      const id = randomUUID();
      await client.query('INSERT INTO "_prisma_migrations" (id, checksum, migration_name, started_at, applied_steps_count) VALUES ($1, $2, $3, now(), 0)', [
        id,
        migration.checksum,
        migration.name,
      ]);
      try {
        // PostgreSQL's DDL is transactional: all of a migration applies or none of it does.
        await client.query(`BEGIN;\n${migration.sql}\nCOMMIT;`);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        await client.query('UPDATE "_prisma_migrations" SET logs = $1 WHERE id = $2', [error instanceof Error ? error.message : String(error), id]);
        throw new Error(`Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      await client.query('UPDATE "_prisma_migrations" SET finished_at = now(), applied_steps_count = 1 WHERE id = $1', [id]);
      result.applied.push(migration.name);
    }
    return result;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [POSTGRES_MIGRATION_LOCK]).catch(() => undefined);
  }
}

/** Brings the database at `databaseUrl` (absolute) up to the committed migrations. */
export async function migrate(databaseUrl: string, root = process.cwd()): Promise<MigrationResult> {
  const provider = databaseProvider(databaseUrl);
  const migrations = readMigrations(migrationsDir(provider, root));
  if (provider === 'postgresql') {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      return await migratePostgres(client, migrations);
    } finally {
      await client.end();
    }
  }
  const file = sqliteFile(databaseUrl);
  makePrivateDir(path.dirname(file));
  // The database file is created 0600 (libSQL would make it as the umask allows).
  if (!fs.existsSync(file)) fs.closeSync(fs.openSync(file, 'a', PRIVATE_FILE_MODE));
  const client = createClient({ url: databaseUrl });
  try {
    return await migrateSqlite(client, migrations);
  } finally {
    client.close();
  }
}
