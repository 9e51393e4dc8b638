import path from 'node:path';
import { z } from 'zod';
import { databaseProvider, resolveDatabaseUrl, sqliteFile } from '../shared/database-url';
import { configurationError, keySecretsFrom, keySecretsSchema, type Env, type KeySecrets } from '../shared/config';
import { runtimeEndpoints } from '../shared/runtime-endpoints';
import { readSecretsFile, secretsFileFor } from '../shared/secrets';
import { defaultBurst } from './scheduler';

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
  /** Query slots across all engine workers, shared fairly by organization, then app (lib/runtime/scheduler.ts). */
  RUNTIME_MAX_CONCURRENT_QUERIES: int(6, 1),
  /** Engine worker processes that run DuckDB, and the memory the operating system lets each use. */
  RUNTIME_ENGINE_WORKERS: int(2, 1),
  RUNTIME_WORKER_MEMORY_LIMIT: size('1GiB'),
  /** Queries one organization may have waiting for a slot, and the bytes of SQL they may hold; beyond either, 429. */
  RUNTIME_MAX_QUEUED_QUERIES_PER_ORG: int(64),
  RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG: int(4 * 1024 * 1024),
  /** How often a key's "last used" time is written, at most. */
  RUNTIME_LAST_USED_INTERVAL_MS: int(60_000),
  /** How often the keys of running queries are checked, so that a revoked key's queries stop. */
  RUNTIME_REVOCATION_CHECK_MS: int(1000, 10),
  /** GET /metrics (Prometheus): its own port (0: any free one) and address, loopback unless said otherwise. */
  RUNTIME_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).default(9464),
  RUNTIME_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
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
  /** The query scheduler's limits (lib/runtime/scheduler.ts). */
  concurrency: { slots: number; queuedPerOrg: number; queuedBytesPerOrg: number };
  duckdb: DuckDBResources;
  workers: { count: number; memoryLimit: string };
  /** Where GET /metrics listens (lib/runtime/metrics.ts). */
  metrics: { port: number; host: string };
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
      slots: e.RUNTIME_MAX_CONCURRENT_QUERIES,
      queuedPerOrg: e.RUNTIME_MAX_QUEUED_QUERIES_PER_ORG,
      queuedBytesPerOrg: e.RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG,
    },
    duckdb: { threads: e.RUNTIME_DUCKDB_THREADS, memoryLimit: e.RUNTIME_DUCKDB_MEMORY_LIMIT, tempLimit: e.RUNTIME_DUCKDB_TEMP_LIMIT },
    workers: { count: e.RUNTIME_ENGINE_WORKERS, memoryLimit: e.RUNTIME_WORKER_MEMORY_LIMIT },
    metrics: { port: e.RUNTIME_METRICS_PORT, host: e.RUNTIME_METRICS_HOST },
  };
}

/**
 * The size of libuv's thread pool an engine worker starts with (UV_THREADPOOL_SIZE, read only at
 * process start): every DuckDB call holds one of its threads while it runs in native code, so the
 * pool is sized above the most queries that may run at once (the slots and the scheduler's burst
 * for newcomers, lib/runtime/scheduler.ts), which may all be one worker's, leaving threads for
 * file work. At most 32: each thread's stack (8 MB) counts against the worker's memory limit
 * (RLIMIT_DATA), and 100 threads were measured to take a 1 GiB worker past it.
 */
export function runtimeThreadPoolSize(env: Env = process.env): number {
  const given = Number(env.RUNTIME_MAX_CONCURRENT_QUERIES);
  const slots = Number.isInteger(given) && given > 0 ? given : 6;
  return Math.min(32, slots + defaultBurst(slots) + 4);
}

/** Bytes of a DuckDB size setting such as 256MB or 1GiB. */
export function sizeInBytes(size: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(KB|MB|GB|KiB|MiB|GiB)$/i.exec(size.trim());
  if (!match) return Number.POSITIVE_INFINITY;
  const unit = match[2]!.toLowerCase();
  const factor = { kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[unit] ?? 1;
  return Number(match[1]) * factor;
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
