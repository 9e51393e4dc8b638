import Database from 'libsql';
import pg from 'pg';
import { databaseProvider, sqliteFile } from '../database-url';
import { lookupDigest } from '../keys/api-keys';
import { digestsEqual } from '../keys/crypto';

/** What the runtime needs of a stored key. */
export type StoredKey = { id: string; appId: number; slot: number; digest: string };

/**
 * The runtime's access to keys: one indexed lookup by digest through a prepared statement, and
 * the "last used" write. It talks to the driver directly, not through Prisma, to keep the hot
 * path to one cheap query (see README, Benchmark). Nothing is cached: every check reads the
 * database, so a regenerated key is rejected by every instance on its next request.
 */
export type KeyStore = {
  findByDigest(digest: string): Promise<StoredKey | null>;
  /** Records use of a key, unless it was regenerated meanwhile (the digest no longer matches). */
  touch(keyId: string, digest: string, at: Date): Promise<void>;
  close(): Promise<void>;
};

const FIND = 'SELECT "id", "appId", "slot", "digest" FROM "ApiKey" WHERE "digest" = ';
const TOUCH = 'UPDATE "ApiKey" SET "lastUsedAt" = ';

function openSqliteKeyStore(file: string): KeyStore {
  const db = new Database(file, { timeout: 5000 });
  const find = db.prepare(`${FIND}?`);
  const touch = db.prepare(`${TOUCH}? WHERE "id" = ? AND "digest" = ?`);
  return {
    findByDigest: async (digest) => (find.get(digest) as StoredKey | undefined) ?? null,
    touch: async (keyId, digest, at) => {
      // Prisma's SQLite DateTime format.
      touch.run(at.toISOString().replace('Z', '+00:00'), keyId, digest);
    },
    close: async () => db.close(),
  };
}

function openPostgresKeyStore(url: string): KeyStore {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  return {
    // Named queries are prepared once per connection and reused.
    findByDigest: async (digest) =>
      ((await pool.query<StoredKey>({ name: 'runtime-find-key', text: `${FIND}$1`, values: [digest] })).rows[0] ?? null),
    touch: async (keyId, digest, at) => {
      await pool.query({ name: 'runtime-touch-key', text: `${TOUCH}$1 WHERE "id" = $2 AND "digest" = $3`, values: [at, keyId, digest] });
    },
    close: () => pool.end(),
  };
}

export function openKeyStore(databaseUrl: string): KeyStore {
  return databaseProvider(databaseUrl) === 'postgresql' ? openPostgresKeyStore(databaseUrl) : openSqliteKeyStore(sqliteFile(databaseUrl));
}

/**
 * The runtime's key check: the stored key a presented X-API-Key belongs to, or null. Malformed
 * keys and bad checksums never reach the database; the digests are compared in constant time.
 */
export async function authenticateKey(presented: string | undefined, store: KeyStore, digestSecret: Buffer): Promise<StoredKey | null> {
  const digest = lookupDigest(presented, digestSecret);
  if (!digest) return null;
  const row = await store.findByDigest(digest);
  return row && digestsEqual(row.digest, digest) ? row : null;
}
