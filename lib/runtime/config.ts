import path from 'node:path';
import { z } from 'zod';
import { databaseProvider, resolveDatabaseUrl, sqliteFile } from '../shared/database-url';
import { configurationError, keySecretsFrom, keySecretsSchema, type Env, type KeySecrets } from '../shared/config';
import { runtimeEndpoints } from '../shared/runtime-endpoints';
import { readSecretsFile, secretsFileFor } from '../shared/secrets';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);
const size = (fallback: string) =>
  z
    .string()
    .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, `must look like ${fallback}`)
    .default(fallback);

const runtimeEnvSchema = z.object({
  RUNTIME_HOST: z.string().min(1).default('0.0.0.0'),
  RUNTIME_QUERY_TIMEOUT_MS: int(30_000, 1),
  RUNTIME_MAX_ROWS: int(500, 1),
  RUNTIME_MAX_BODY_BYTES: int(1024 * 1024, 1),
  /** Failed authentications allowed per client address per minute; 0 switches the limiter off. */
  RUNTIME_AUTH_FAILURES_PER_MINUTE: int(20),
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  RUNTIME_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Threads, memory and temp-file space each app's DuckDB database may use. */
  RUNTIME_DUCKDB_THREADS: int(1, 1),
  RUNTIME_DUCKDB_MEMORY_LIMIT: size('256MB'),
  RUNTIME_DUCKDB_TEMP_LIMIT: size('1GiB'),
  /** App databases kept open at once (least recently used closed first); each has its threads. */
  RUNTIME_MAX_OPEN_APPS: int(16, 1),
  /** Bytes of one HTTP answer, counted as the result is converted. */
  RUNTIME_MAX_RESULT_BYTES: int(16 * 1024 * 1024, 1),
  /** Queries running at once per app, and waiting behind them; beyond that, 429. */
  RUNTIME_MAX_CONCURRENT_QUERIES_PER_APP: int(2, 1),
  RUNTIME_MAX_QUEUED_QUERIES_PER_APP: int(4),
  /** Queries running at once in the whole process, all apps together. */
  RUNTIME_MAX_CONCURRENT_QUERIES: int(6, 1),
  /** How often a key's "last used" time is written, at most. */
  RUNTIME_LAST_USED_INTERVAL_MS: int(60_000),
  /** How often the keys of running queries are checked, so that a revoked key's queries stop. */
  RUNTIME_REVOCATION_CHECK_MS: int(1000, 10),
});

export type RuntimeConfig = {
  port: number;
  host: string;
  dataDir: string;
  queryTimeoutMs: number;
  maxRows: number;
  maxBodyBytes: number;
  authFailuresPerMinute: number;
  trustProxy: boolean;
  lastUsedIntervalMs: number;
  revocationCheckMs: number;
  maxResultBytes: number;
  maxOpenApps: number;
  concurrency: { perApp: number; queuedPerApp: number; total: number };
  duckdb: DuckDBResources;
};

/** What each app's DuckDB instance may use. */
export type DuckDBResources = { threads: number; memoryLimit: string; tempLimit: string };

export function runtimeConfig(env: Env = process.env): RuntimeConfig {
  const parsed = runtimeEnvSchema.safeParse(env);
  if (!parsed.success) throw configurationError('runtime', parsed.error.issues);
  const e = parsed.data;
  const endpoints = runtimeEndpoints(env);
  return {
    // The port and the data folder are read by the portal too (lib/shared/runtime-endpoints.ts).
    port: endpoints.port,
    host: e.RUNTIME_HOST,
    dataDir: endpoints.dataDir,
    queryTimeoutMs: e.RUNTIME_QUERY_TIMEOUT_MS,
    maxRows: e.RUNTIME_MAX_ROWS,
    maxBodyBytes: e.RUNTIME_MAX_BODY_BYTES,
    authFailuresPerMinute: e.RUNTIME_AUTH_FAILURES_PER_MINUTE,
    trustProxy: e.RUNTIME_TRUST_PROXY === 'true',
    lastUsedIntervalMs: e.RUNTIME_LAST_USED_INTERVAL_MS,
    revocationCheckMs: e.RUNTIME_REVOCATION_CHECK_MS,
    maxResultBytes: e.RUNTIME_MAX_RESULT_BYTES,
    maxOpenApps: e.RUNTIME_MAX_OPEN_APPS,
    concurrency: {
      perApp: e.RUNTIME_MAX_CONCURRENT_QUERIES_PER_APP,
      queuedPerApp: e.RUNTIME_MAX_QUEUED_QUERIES_PER_APP,
      total: e.RUNTIME_MAX_CONCURRENT_QUERIES,
    },
    duckdb: { threads: e.RUNTIME_DUCKDB_THREADS, memoryLimit: e.RUNTIME_DUCKDB_MEMORY_LIMIT, tempLimit: e.RUNTIME_DUCKDB_TEMP_LIMIT },
  };
}

/**
 * The size of libuv's thread pool the runtime process should start with (UV_THREADPOOL_SIZE, read
 * only at process start): every DuckDB call holds one of its threads while it runs in native
 * code, so the pool is sized above the process-wide query limit, leaving threads for cheap
 * queries and file work while the limit's worth of heavy queries run.
 */
export function runtimeThreadPoolSize(env: Env = process.env): number {
  const total = Number(env.RUNTIME_MAX_CONCURRENT_QUERIES);
  return Math.min(128, (Number.isInteger(total) && total > 0 ? total : 6) + 4);
}

export type RuntimeDatabase = { databaseUrl: string; secrets: KeySecrets };

/**
 * What the runtime needs of the shared database: its URL and the two key secrets, from the
 * environment or, on the embedded SQLite default, from data/secrets.json beside the database.
 * Nothing of the portal's (no session secret, no sign-in settings).
 */
export function runtimeDatabase(env: Env = process.env, cwd = process.cwd()): RuntimeDatabase {
  const databaseUrl = resolveDatabaseUrl(env.DATABASE_URL, cwd);
  // An empty variable counts as unset.
  const raw = { KEY_ENCRYPTION_KEY: env.KEY_ENCRYPTION_KEY || undefined, KEY_DIGEST_SECRET: env.KEY_DIGEST_SECRET || undefined };
  const sqlite = databaseProvider(databaseUrl) === 'sqlite';
  if (sqlite && (!raw.KEY_ENCRYPTION_KEY || !raw.KEY_DIGEST_SECRET)) {
    const stored = readSecretsFile(secretsFileFor(sqliteFile(databaseUrl))) ?? {};
    raw.KEY_ENCRYPTION_KEY ??= stored.KEY_ENCRYPTION_KEY;
    raw.KEY_DIGEST_SECRET ??= stored.KEY_DIGEST_SECRET;
  }
  const parsed = keySecretsSchema.safeParse(raw);
  if (!parsed.success) {
    throw configurationError(
      'runtime',
      parsed.error.issues,
      sqlite
        ? `On the embedded database they come from ${path.relative(cwd, secretsFileFor(sqliteFile(databaseUrl)))}, which \`npm start\` or \`npm run migrate\` creates.`
        : 'Set them in the environment (see docs/deploying.md).',
    );
  }
  return { databaseUrl, secrets: keySecretsFrom(parsed.data) };
}
