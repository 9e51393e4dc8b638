// One column of npm run bench (scripts/bench.ts): the production servers (next start on the
// production build, the runtime's own entry point) on loopback, on a fresh SQLite file or, with
// BENCH_ADMIN_URL, a fresh PostgreSQL database. Prints its figures as JSON on the last line.
// Its helpers (the load generator, a fresh database, users, apps and keys) are shared with
// scripts/bench-runtime.ts, which imports this file: the column runs only when it is the script.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDatabase, dropDatabase } from './support/postgres-admin';
import { createUserWithOrg } from '../lib/auth/accounts';
import { createAppKeys } from '../lib/data/api-keys';
import { decryptSecret } from '../lib/shared/keys/crypto';
import { generateApiKey } from '../lib/shared/keys/format';
import { migrate } from '../lib/migrate';
import { createPrismaClient, type Db } from '../lib/prisma';
import { runtimeThreadPoolSize } from '../lib/runtime/config';
import { authenticateKey, openKeyStore } from '../lib/runtime/key-store';
import { UnknownKeys } from '../lib/runtime/unknown-keys';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PORTAL_PORT = Number(process.env.BENCH_PORTAL_PORT ?? 3390);
const RUNTIME_PORT = Number(process.env.BENCH_RUNTIME_PORT ?? 8390);
const adminUrl = process.env.BENCH_ADMIN_URL;
const root = process.cwd();

export type Row = { name: string; rps: number; p50: number; p99: number; statuses: string; counts: Record<string, number> };
export type Attack = { name: string; status: number; seconds: number };
export type Column = {
  rows: Row[];
  verify: { valid: number; unknown: number; unknownRemembered: number; malformed: number };
  attacks: Attack[];
  /** The most the serving process of the runtime had resident, through the attacks (bytes). */
  peakRss: number;
};

/** A fresh database: a temporary SQLite file, or a new PostgreSQL database on BENCH_ADMIN_URL. */
export async function freshDatabase(dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!adminUrl) return { url: `file:${path.join(dir, 'portal.db')}`, drop: async () => undefined };
  const name = `bench_${randomBytes(4).toString('hex')}`;
  return { url: await createDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

/** The servers' environment on that database, with fresh secrets; the runtime's data in `dir`. */
export function benchEnv(dir: string, databaseUrl: string) {
  return {
    ...process.env,
    DATABASE_URL: databaseUrl,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KEY_DIGEST_SECRET: randomBytes(32).toString('base64'),
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    NEXT_TELEMETRY_DISABLED: '1',
    AUTH_TRUST_HOST: 'true',
    RUNTIME_PORT: String(RUNTIME_PORT),
    RUNTIME_HOST: '127.0.0.1',
    RUNTIME_DATA_DIR: path.join(dir, 'runtime'),
    // Flight on a port the system picks (the bench does not use it), so that two runtimes never
    // compete for 50051, with its certificate in the bench's folder, not the project's data/.
    FLIGHT_HOST: '127.0.0.1',
    FLIGHT_PORT: '0',
    FLIGHT_TLS_DIR: path.join(dir, 'flight-tls'),
    // The same for GET /metrics (9464 by default): the bench starts several runtimes.
    RUNTIME_METRICS_PORT: '0',
  };
}

export type Owner = { userId: string; orgId: string };

/** Users (each with an organization of its own: the runtime shares its query slots by organization), apps and their keys. */
export function benchAccounts(db: Db, env: { KEY_ENCRYPTION_KEY: string; KEY_DIGEST_SECRET: string }) {
  const secrets = { encryptionKey: Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64'), digestSecret: Buffer.from(env.KEY_DIGEST_SECRET, 'base64') };
  const newOwner = async (name: string, email: string): Promise<Owner> => {
    const { userId, orgName } = await createUserWithOrg(db, { name, email });
    const org = await db.organization.findUniqueOrThrow({ where: { name: orgName }, select: { id: true } });
    return { userId, orgId: org.id };
  };
  /** A new app of the owner's organization and its first key (apps are spread over the engine workers by id). */
  const newApp = async (name: string, owner: Owner): Promise<{ id: number; key: string }> => {
    const app = await db.$transaction(async (tx) => {
      const created = await tx.app.create({ data: { orgId: owner.orgId, name }, select: { id: true } });
      await createAppKeys(tx, created.id, owner.userId, secrets);
      return created;
    });
    const row = await db.apiKey.findFirstOrThrow({ where: { appId: app.id, slot: 1 }, select: { id: true, ciphertext: true } });
    return { id: app.id, key: decryptSecret(row.ciphertext, row.id, secrets.encryptionKey) };
  };
  return { secrets, newOwner, newApp };
}

/**
 * Keeps `connections` requests in flight on keep-alive connections for the duration (after the
 * warm-up), from a separate process running the lean load generator (scripts/load.mjs); bounded
 * in time. `counts` holds the answers by status.
 */
export function load(
  name: string,
  url: string,
  options: { method: string; headers?: Record<string, string>; body?: string; connections?: number; durationMs?: number; warmupMs?: number },
): Promise<Row> {
  const target = new URL(url);
  const spec = {
    host: target.hostname,
    port: Number(target.port),
    path: target.pathname,
    durationMs: DURATION_MS,
    warmupMs: WARMUP_MS,
    connections: CONCURRENCY,
    ...options,
  };
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'load.mjs'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      // Exit 13: a connection ended without an answer (the server closed it), so the run never finished.
      if (code !== 0) return reject(new Error(`load generator failed for ${name} (${signal ?? `exit ${code}`}): ${stderr}`));
      const result = JSON.parse(stdout) as { rps: number; p50: number; p99: number; statuses: Record<string, number> };
      resolve({
        name,
        rps: result.rps,
        p50: result.p50,
        p99: result.p99,
        counts: result.statuses,
        statuses: Object.entries(result.statuses)
          .map(([status, count]) => `${status}×${count}`)
          .join(' '),
      });
    });
  });
}

/** The request options of `load` for a POST /v1/sql with this key. */
export const sqlRequest = (key: string, sql = 'SELECT 1') => ({ method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql });

async function opsPerSecond(fn: () => Promise<unknown>, ms = 1000): Promise<number> {
  for (let i = 0; i < 1000; i++) await fn();
  let count = 0;
  const end = performance.now() + ms;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) await fn();
    count += 100;
  }
  return count / (ms / 1000);
}

export async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

/** The most this process has had resident since it started (VmHWM, bytes); 0 once it is gone. */
export function peakRssOf(pid: number | undefined): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(hwm?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/**
 * `--runtime-rows`: only the runtime's four throughput rows (no portal, no attacks), as a
 * Markdown table with their ratios to /health, for checking the runtime's own figures quickly.
 */
const runtimeRowsOnly = process.argv.includes('--runtime-rows');

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
  const children: ChildProcess[] = [];
  const database = await freshDatabase(dir);
  try {
    const databaseUrl = database.url;
    // The unknown-key row measures the key check itself, so the failed-auth limiter is off.
    const env = { ...benchEnv(dir, databaseUrl), RUNTIME_AUTH_FAILURES_PER_MINUTE: '0' };
    await migrate(databaseUrl);
    const db = createPrismaClient(databaseUrl);
    const { secrets, newOwner, newApp } = benchAccounts(db, env);
    const bench = await newOwner('Bench', 'bench@example.com');
    const validKey = (await newApp('bench-app', bench)).key;
    const attackKey = (await newApp('attack-app', bench)).key;
    await db.$disconnect();

    if (!runtimeRowsOnly)
      children.push(spawn(path.join(root, 'node_modules', '.bin', 'next'), ['start', '-p', String(PORTAL_PORT), '-H', '127.0.0.1'], { env, stdio: 'ignore' }));
    // The throughput rows load one app with 32 connections: with the default limits it may use every
    // query slot and have 64 queries waiting, so they measure the server, not 429s.
    const runtimeEnv = { ...env, UV_THREADPOOL_SIZE: String(runtimeThreadPoolSize(env)) };
    children.push(spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'runtime', 'main.ts')], { env: runtimeEnv, stdio: 'ignore' }));
    if (!runtimeRowsOnly) await waitFor(`http://127.0.0.1:${PORTAL_PORT}/api/health`);
    await waitFor(`http://127.0.0.1:${RUNTIME_PORT}/health`);

    const runtime = `http://127.0.0.1:${RUNTIME_PORT}`;
    const rows: Row[] = [];
    rows.push(await load('runtime GET /health', `${runtime}/health`, { method: 'GET' }));
    rows.push(await load('runtime POST /v1/sql SELECT 1, valid key', `${runtime}/v1/sql`, sqlRequest(validKey)));
    rows.push(await load('runtime POST /v1/sql, unknown well-formed key (401)', `${runtime}/v1/sql`, sqlRequest(generateApiKey())));
    rows.push(await load('runtime POST /v1/sql, malformed key (401)', `${runtime}/v1/sql`, sqlRequest('not-a-key')));
    if (runtimeRowsOnly) {
      const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
      console.log(`| route | requests/s (p50 / p99 ms) | / health | statuses |\n| --- | ---: | ---: | --- |`);
      for (const row of rows)
        console.log(`| ${row.name} | ${fmt(row.rps)} (${fmt(row.p50, 1)} / ${fmt(row.p99, 1)}) | ${fmt(row.rps / rows[0]!.rps, 2)} | ${row.statuses} |`);
      return;
    }
    rows.push(await load('portal GET /api/health (cheapest route)', `http://127.0.0.1:${PORTAL_PORT}/api/health`, { method: 'GET' }));

    const store = openKeyStore(databaseUrl);
    const unknownKey = generateApiKey();
    const remembered = new UnknownKeys();
    const verify = {
      valid: await opsPerSecond(() => authenticateKey(validKey, store, secrets.digestSecret)),
      unknown: await opsPerSecond(() => authenticateKey(unknownKey, store, secrets.digestSecret)),
      // The same unknown key again, as the runtime answers it: from the memory of digests with no row.
      unknownRemembered: await opsPerSecond(() => authenticateKey(unknownKey, store, secrets.digestSecret, remembered)),
      malformed: await opsPerSecond(() => authenticateKey('spk_not-a-key', store, secrets.digestSecret)),
    };
    await store.close();

    // A second runtime with the default limits, but for its time limit: raised to 60 s, so that the
    // temp-limit row ends at that limit on a slow machine, not at the time limit. (The runtime under
    // saturation, a killed worker and memory bombs is scripts/bench-runtime.ts.)
    const limited = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'runtime', 'main.ts')], {
      env: { ...runtimeEnv, RUNTIME_PORT: String(RUNTIME_PORT + 1), RUNTIME_DATA_DIR: path.join(dir, 'runtime-limited'), RUNTIME_QUERY_TIMEOUT_MS: '60000' },
      stdio: 'ignore',
    });
    children.push(limited);
    const limitedUrl = `http://127.0.0.1:${RUNTIME_PORT + 1}`;
    await waitFor(`${limitedUrl}/health`);
    const post = (key: string, body: string) =>
      fetch(`${limitedUrl}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body });
    // The app's database exists before measuring.
    await post(attackKey, 'SELECT 1');

    const attacks: Attack[] = [];
    for (const [name, body] of [
      ['10 lists of 20 million numbers', 'SELECT range(0, 20000000) AS r FROM range(10)'],
      ["repeat('x', 1e9)", `SELECT repeat('x', 1000000000)`],
      ['string_agg over 1e8 rows', `SELECT length(string_agg('xxxxxxxxxx', '')) FROM range(100000000)`],
      ['60 MB answer', `SELECT (SELECT string_agg(payment_type || trip_id, ',') FROM taxi_trips) AS s FROM range(500)`],
      ['sort of range(1e10) with a 200-character column', `SELECT range AS i, repeat('x', 200) || range::VARCHAR AS s FROM range(10000000000) ORDER BY s DESC`],
      ['enable_logging to a file', `SELECT * FROM enable_logging(level='trace', storage='file', storage_path='/tmp/x')`],
      ['duckdb_settings()', 'SELECT * FROM duckdb_settings()'],
    ] as const) {
      const started = performance.now();
      const status = (await post(attackKey, body)).status;
      attacks.push({ name, status, seconds: (performance.now() - started) / 1000 });
    }
    const peakRss = peakRssOf(limited.pid);

    const column: Column = { rows, verify, attacks, peakRss };
    console.log(JSON.stringify(column));
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await database.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) await main();
