import fs from 'node:fs';
import Database from 'libsql';
import pg from 'pg';
import { databaseProvider, sqliteFile } from '../shared/database-url';
import type { KeySecrets } from '../shared/config';
import { digestsEqual, lookupDigest } from '../shared/keys/digest';
import { assertSecretsOpen } from '../shared/keys/secrets-check';
import type { UnknownKeys } from './unknown-keys';

/** What the runtime needs of a stored key: whose app it opens, and the organization the scheduler shares by. */
export type StoredKey = { id: string; appId: number; orgId: string; slot: number; digest: string };

/**
 * The runtime's access to keys: one indexed lookup by digest through a prepared statement, and
 * the "last used" write. It talks to the driver directly, not through Prisma, to keep the hot
 * path to one cheap query (see docs/benchmark.md). Nothing found is cached: every check that
 * accepts reads the database, so a regenerated key is rejected by every instance on its next
 * request (only digests with no row at all are remembered, lib/runtime/unknown-keys.ts).
 */
export type KeyStore = {
  /**
   * The key with this digest, or null only when no ApiKey row has it at all. The unknown-key
   * cache trusts null to mean exactly that: a row in any state (once keys have states such as
   * retiring or disabled, or are kept after replacement) must come back with its state, never
   * as null.
   */
  findByDigest(digest: string): Promise<StoredKey | null>;
  /** Any one stored key's secret columns (to check the secrets at start), or null when there is none. */
  sampleKey(): Promise<SampleKey | null>;
  /**
   * Records use of a key: its "last used" time, and `count` requests in the minute starting at
   * `minute`. Nothing is written when the key was regenerated meanwhile (the digest no longer
   * matches), so a replaced key's requests never count for its successor.
   */
  recordUse(use: KeyUse): Promise<void>;
  /** Which of these apps still exist (the others were deleted in the portal). */
  existingApps(appIds: number[]): Promise<Set<number>>;
  /**
   * The digest of each of these keys that is still current, by id; a key whose row is gone (its
   * app was deleted) is absent. What the runtime checks its running queries against
   * (lib/runtime/revocation.ts). A disabled key, once keys can be disabled, is absent too: one
   * more condition in CURRENT below. Asks at most 500 ids per statement.
   */
  currentDigests(keyIds: readonly string[]): Promise<Map<string, string>>;
  close(): Promise<void>;
};

type SampleKey = { id: string; ciphertext: string; digest: string };
export type KeyUse = { keyId: string; digest: string; lastUsedAt: Date; minute: Date; count: number };

const SAMPLE = 'SELECT "id", "ciphertext", "digest" FROM "ApiKey" LIMIT 1';
const FIND = 'SELECT k."id", k."appId", a."orgId", k."slot", k."digest" FROM "ApiKey" k JOIN "App" a ON a."id" = k."appId" WHERE k."digest" = ';
const TOUCH = 'UPDATE "ApiKey" SET "lastUsedAt" = ';
// The count is added only while the key is current; one statement, so a regeneration between
// two statements cannot slip in.
// On PostgreSQL the key row is share-locked, so a regeneration in flight is waited for and then
// seen (SQLite runs one writer at a time anyway).
const COUNT = (p: (n: number) => string, lock = '') =>
  `INSERT INTO "ApiKeyUsage" ("keyId", "minute", "count") SELECT ${p(1)}, ${p(2)}, ${p(3)} ` +
  `WHERE EXISTS (SELECT 1 FROM "ApiKey" WHERE "id" = ${p(1)} AND "digest" = ${p(4)}${lock}) ` +
  `ON CONFLICT ("keyId", "minute") DO UPDATE SET "count" = "ApiKeyUsage"."count" + excluded."count"`;
// Followed by each driver's way of taking a list of ids as one parameter; a disabled state would
// add its condition here.
const CURRENT = 'SELECT "id", "digest" FROM "ApiKey" WHERE "id" ';
/** Ids per currentDigests statement at most, so that a statement stays small however many queries run. */
const CURRENT_BATCH = 500;

/** `lookup` for each batch of ids, the rows together as a map. */
async function inBatches(keyIds: readonly string[], lookup: (ids: string[]) => Promise<{ id: string; digest: string }[]>): Promise<Map<string, string>> {
  const digests = new Map<string, string>();
  for (let i = 0; i < keyIds.length; i += CURRENT_BATCH) {
    for (const row of await lookup(keyIds.slice(i, i + CURRENT_BATCH))) digests.set(row.id, row.digest);
  }
  return digests;
}

/** Prisma's SQLite DateTime format. */
const sqliteTime = (at: Date) => at.toISOString().replace('Z', '+00:00');

function openSqliteKeyStore(file: string): KeyStore {
  // Opening a missing file would create an empty database beside the portal's.
  if (!fs.existsSync(file)) throw new DatabaseNotReadyError();
  const db = new Database(file, { timeout: 5000 });
  const find = db.prepare(`${FIND}?`);
  const touch = db.prepare(`${TOUCH}? WHERE "id" = ? AND "digest" = ?`);
  const count = db.prepare(COUNT((n) => `?${n}`));
  // One statement for any number of ids: they come as one JSON array.
  const current = db.prepare(`${CURRENT}IN (SELECT "value" FROM json_each(?))`);
  return {
    findByDigest: async (digest) => (find.get(digest) as StoredKey | undefined) ?? null,
    sampleKey: async () => (db.prepare(SAMPLE).get() as SampleKey | undefined) ?? null,
    existingApps: async (appIds) => {
      if (appIds.length === 0) return new Set();
      const rows = db.prepare(`SELECT "id" FROM "App" WHERE "id" IN (${appIds.map(() => '?').join(', ')})`).all(...appIds) as { id: number }[];
      return new Set(rows.map((row) => Number(row.id)));
    },
    currentDigests: (keyIds) => inBatches(keyIds, async (ids) => current.all(JSON.stringify(ids)) as { id: string; digest: string }[]),
    recordUse: async (use) => {
      touch.run(sqliteTime(use.lastUsedAt), use.keyId, use.digest);
      count.run(use.keyId, sqliteTime(use.minute), use.count, use.digest);
    },
    close: async () => db.close(),
  };
}

function openPostgresKeyStore(url: string): KeyStore {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  return {
    // Named queries are prepared once per connection and reused.
    findByDigest: async (digest) => (await pool.query<StoredKey>({ name: 'runtime-find-key', text: `${FIND}$1`, values: [digest] })).rows[0] ?? null,
    sampleKey: async () => (await pool.query<SampleKey>(SAMPLE)).rows[0] ?? null,
    existingApps: async (appIds) => {
      if (appIds.length === 0) return new Set();
      const { rows } = await pool.query<{ id: number }>('SELECT "id" FROM "App" WHERE "id" = ANY($1::int[])', [appIds]);
      return new Set(rows.map((row) => Number(row.id)));
    },
    currentDigests: (keyIds) =>
      inBatches(
        keyIds,
        async (ids) =>
          (await pool.query<{ id: string; digest: string }>({ name: 'runtime-current-keys', text: `${CURRENT}= ANY($1::text[])`, values: [ids] })).rows,
      ),
    recordUse: async (use) => {
      await pool.query({ name: 'runtime-touch-key', text: `${TOUCH}$1 WHERE "id" = $2 AND "digest" = $3`, values: [use.lastUsedAt, use.keyId, use.digest] });
      await pool.query({ name: 'runtime-count-key', text: COUNT((n) => `$${n}`, ' FOR SHARE'), values: [use.keyId, use.minute, use.count, use.digest] });
    },
    close: () => pool.end(),
  };
}

export function openKeyStore(databaseUrl: string): KeyStore {
  if (databaseProvider(databaseUrl) === 'postgresql') return openPostgresKeyStore(databaseUrl);
  try {
    return openSqliteKeyStore(sqliteFile(databaseUrl));
  } catch (error) {
    throw isUnmigrated(error) ? new DatabaseNotReadyError() : error;
  }
}

/** The database has no ApiKey table (or no file) yet: the portal's migrations have not run. */
export class DatabaseNotReadyError extends Error {
  constructor() {
    super('The database has no API keys table yet. Run `npm run migrate` (or `npm start`) against DATABASE_URL first, then start the runtime.');
    this.name = 'DatabaseNotReadyError';
  }
}

function isUnmigrated(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  // SQLite: no such table; PostgreSQL: undefined_table.
  return /no such table/i.test(error.message) || code === '42P01';
}

/**
 * Refuses to serve with secrets that do not open the stored keys: one stored key must decrypt,
 * and its digest must match. A database without keys passes; one without tables is not ready.
 */
export async function assertRuntimeSecrets(store: KeyStore, secrets: KeySecrets): Promise<void> {
  let sample: SampleKey | null;
  try {
    sample = await store.sampleKey();
  } catch (error) {
    throw isUnmigrated(error) ? new DatabaseNotReadyError() : error;
  }
  assertSecretsOpen(sample, secrets);
}

/** How a key check ended: a current key, a malformed one (no lookup), unknown from memory, or looked up and not found. */
export type KeyCheckOutcome = 'valid' | 'malformed' | 'unknown_cached' | 'unknown';

/**
 * The runtime's key check: the stored key a presented X-API-Key belongs to, or null, and how it
 * ended. Malformed keys and bad checksums never reach the database, nor do digests `unknown`
 * remembers as having no row; the digests are compared in constant time.
 */
export async function checkKey(
  presented: string | undefined,
  store: KeyStore,
  digestSecret: Buffer,
  unknown?: UnknownKeys,
): Promise<{ key: StoredKey | null; outcome: KeyCheckOutcome }> {
  const first = precheckKey(presented, digestSecret, unknown);
  return 'outcome' in first ? { key: null, outcome: first.outcome } : lookUpKey(first.digest, store, unknown);
}

/**
 * The part of the key check that needs no I/O: a refusal (malformed, or a digest remembered as
 * unknown), or the digest to look up. Lets a door answer those refusals synchronously.
 */
export function precheckKey(
  presented: string | undefined,
  digestSecret: Buffer,
  unknown?: UnknownKeys,
): { outcome: 'malformed' | 'unknown_cached' } | { digest: string } {
  const digest = lookupDigest(presented, digestSecret);
  if (!digest) return { outcome: 'malformed' };
  if (unknown?.known(digest)) return { outcome: 'unknown_cached' };
  return { digest };
}

/** The lookup of a well-formed key's digest (after precheckKey). */
export async function lookUpKey(digest: string, store: KeyStore, unknown?: UnknownKeys): Promise<{ key: StoredKey | null; outcome: KeyCheckOutcome }> {
  const row = await store.findByDigest(digest);
  if (row && digestsEqual(row.digest, digest)) return { key: row, outcome: 'valid' };
  // No row at all with this digest (findByDigest answers null only then).
  if (!row) unknown?.remember(digest);
  return { key: null, outcome: 'unknown' };
}

/** checkKey's key alone. */
export async function authenticateKey(presented: string | undefined, store: KeyStore, digestSecret: Buffer, unknown?: UnknownKeys): Promise<StoredKey | null> {
  return (await checkKey(presented, store, digestSecret, unknown)).key;
}
