import Database from 'libsql';
import { databaseProvider, sqliteFile } from '../database-url';
import { lookupDigest } from '../keys/api-keys';
import { digestsEqual } from '../keys/crypto';

/** What the runtime needs of a stored key. */
export type StoredKey = { id: string; appId: number; slot: number; digest: string };

/**
 * The runtime's access to keys: one indexed lookup by digest through a prepared statement, and
 * the "last used" write. It talks to the driver directly, not through Prisma, to keep the hot
 * path to one cheap query (see README, Benchmark).
 */
export type KeyStore = {
  findByDigest(digest: string): StoredKey | null;
  /** Records use of a key, unless it was regenerated meanwhile (the digest no longer matches). */
  touch(keyId: string, digest: string, at: Date): void;
  close(): void;
};

export function openKeyStore(databaseUrl: string): KeyStore {
  if (databaseProvider(databaseUrl) !== 'sqlite') throw new Error('The runtime supports SQLite only for now.');
  const db = new Database(sqliteFile(databaseUrl), { timeout: 5000 });
  const find = db.prepare('SELECT "id", "appId", "slot", "digest" FROM "ApiKey" WHERE "digest" = ?');
  const touch = db.prepare('UPDATE "ApiKey" SET "lastUsedAt" = ? WHERE "id" = ? AND "digest" = ?');
  return {
    findByDigest: (digest) => (find.get(digest) as StoredKey | undefined) ?? null,
    touch: (keyId, digest, at) => {
      // Prisma's SQLite DateTime format.
      touch.run(at.toISOString().replace('Z', '+00:00'), keyId, digest);
    },
    close: () => db.close(),
  };
}

/**
 * The runtime's key check: the stored key a presented X-API-Key belongs to, or null. Malformed
 * keys and bad checksums never reach the database; the digests are compared in constant time.
 */
export function authenticateKey(presented: string | undefined, store: KeyStore, digestSecret: Buffer): StoredKey | null {
  const digest = lookupDigest(presented, digestSecret);
  if (!digest) return null;
  const row = store.findByDigest(digest);
  return row && digestsEqual(row.digest, digest) ? row : null;
}
