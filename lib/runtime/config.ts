import path from 'node:path';
import { z } from 'zod';

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const runtimeEnvSchema = z.object({
  RUNTIME_PORT: int(8090),
  RUNTIME_HOST: z.string().min(1).default('0.0.0.0'),
  /** Where each app's DuckDB database lives. */
  RUNTIME_DATA_DIR: z.string().min(1).default(path.join('data', 'runtime')),
  RUNTIME_QUERY_TIMEOUT_MS: int(30_000, 1),
  RUNTIME_MAX_ROWS: int(500, 1),
  RUNTIME_MAX_BODY_BYTES: int(1024 * 1024, 1),
  /** Failed authentications allowed per client address per minute; 0 switches the limiter off. */
  RUNTIME_AUTH_FAILURES_PER_MINUTE: int(20),
  /** Take the client address from X-Forwarded-For (only behind a proxy you run). */
  RUNTIME_TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  /** Threads and memory each app's DuckDB database may use. */
  RUNTIME_DUCKDB_THREADS: int(2, 1),
  RUNTIME_DUCKDB_MEMORY_LIMIT: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|KiB|MiB|GiB)$/i, 'must look like 256MB').default('256MB'),
  /** How often a key's "last used" time is written, at most. */
  RUNTIME_LAST_USED_INTERVAL_MS: int(60_000),
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
  duckdb: { threads: number; memoryLimit: string };
};

export function runtimeConfig(env: Record<string, string | undefined> = process.env): RuntimeConfig {
  const parsed = runtimeEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `Invalid runtime configuration:\n${parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n')}`,
    );
  }
  const e = parsed.data;
  return {
    port: e.RUNTIME_PORT,
    host: e.RUNTIME_HOST,
    dataDir: path.resolve(e.RUNTIME_DATA_DIR),
    queryTimeoutMs: e.RUNTIME_QUERY_TIMEOUT_MS,
    maxRows: e.RUNTIME_MAX_ROWS,
    maxBodyBytes: e.RUNTIME_MAX_BODY_BYTES,
    authFailuresPerMinute: e.RUNTIME_AUTH_FAILURES_PER_MINUTE,
    trustProxy: e.RUNTIME_TRUST_PROXY === 'true',
    lastUsedIntervalMs: e.RUNTIME_LAST_USED_INTERVAL_MS,
    duckdb: { threads: e.RUNTIME_DUCKDB_THREADS, memoryLimit: e.RUNTIME_DUCKDB_MEMORY_LIMIT },
  };
}

/** The runtime's address as users see it (shown on the General page). */
export function runtimePublicUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.RUNTIME_PUBLIC_URL ?? `http://localhost:${env.RUNTIME_PORT ?? 8090}`).replace(/\/+$/, '');
}
