// One column of npm run bench (scripts/bench.ts): the production servers (next start on the
// production build, the runtime's own entry point) on loopback, on a fresh SQLite file or, with
// BENCH_ADMIN_URL, a fresh PostgreSQL database. Prints its figures as JSON on the last line.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase } from './support/postgres-admin';
import { createUserWithOrg } from '../lib/data/users';
import { createAppKeys, revealApiKey } from '../lib/keys/api-keys';
import { generateApiKey } from '../lib/keys/format';
import { migrate } from '../lib/migrate';
import { createPrismaClient } from '../lib/prisma';
import { authenticateKey, openKeyStore } from '../lib/runtime/key-store';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
const WARMUP_MS = 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const PORTAL_PORT = Number(process.env.BENCH_PORTAL_PORT ?? 3390);
const RUNTIME_PORT = Number(process.env.BENCH_RUNTIME_PORT ?? 8390);
const adminUrl = process.env.BENCH_ADMIN_URL;
const root = process.cwd();

export type Row = { name: string; rps: number; p50: number; p99: number; statuses: string };
export type Column = { rows: Row[]; verify: { valid: number; unknown: number; malformed: number } };

/** A fresh database: a temporary SQLite file, or a new PostgreSQL database on BENCH_ADMIN_URL. */
async function freshDatabase(dir: string): Promise<{ url: string; drop: () => Promise<void> }> {
  if (!adminUrl) return { url: `file:${path.join(dir, 'portal.db')}`, drop: async () => undefined };
  const name = `bench_${randomBytes(4).toString('hex')}`;
  return { url: await createDatabase(adminUrl, name), drop: () => dropDatabase(adminUrl, name) };
}

/**
 * Keeps CONCURRENCY requests in flight on keep-alive connections for the duration, from a
 * separate process running the lean load generator (scripts/load.mjs); bounded in time.
 */
function load(name: string, url: string, options: { method: string; headers?: Record<string, string>; body?: string }): Row {
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
  const run = spawnSync(process.execPath, [path.join(root, 'scripts', 'load.mjs'), JSON.stringify(spec)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`load generator failed for ${name}: ${run.stderr}`);
  const result = JSON.parse(run.stdout) as { rps: number; p50: number; p99: number; statuses: Record<string, number> };
  return {
    name,
    rps: result.rps,
    p50: result.p50,
    p99: result.p99,
    statuses: Object.entries(result.statuses).map(([status, count]) => `${status}×${count}`).join(' '),
  };
}

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

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const ok = await fetch(url).then((r) => r.ok).catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-'));
const children: ChildProcess[] = [];
const database = await freshDatabase(dir);
try {
  const databaseUrl = database.url;
  const env = {
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
    // The unknown-key row measures the key check itself, so the failed-auth limiter is off.
    RUNTIME_AUTH_FAILURES_PER_MINUTE: '0',
  };
  await migrate(databaseUrl);
  const db = createPrismaClient(databaseUrl);
  const secrets = { encryptionKey: Buffer.from(env.KEY_ENCRYPTION_KEY, 'base64'), digestSecret: Buffer.from(env.KEY_DIGEST_SECRET, 'base64') };
  const { userId, orgName } = await createUserWithOrg(db, { name: 'Bench', email: 'bench@example.com' });
  const org = await db.organization.findUniqueOrThrow({ where: { name: orgName }, select: { id: true } });
  const app = await db.$transaction(async (tx) => {
    const created = await tx.app.create({ data: { orgId: org.id, name: 'bench-app' }, select: { id: true } });
    await createAppKeys(tx, created.id, userId, secrets);
    return created;
  });
  const row = await db.apiKey.findFirstOrThrow({ where: { appId: app.id, slot: 1 }, select: { id: true, ciphertext: true } });
  const validKey = revealApiKey(row, secrets);
  await db.$disconnect();

  children.push(spawn(path.join(root, 'node_modules', '.bin', 'next'), ['start', '-p', String(PORTAL_PORT), '-H', '127.0.0.1'], { env, stdio: 'ignore' }));
  children.push(spawn(path.join(root, 'node_modules', '.bin', 'tsx'), [path.join(root, 'lib', 'runtime', 'main.ts')], { env, stdio: 'ignore' }));
  await waitFor(`http://127.0.0.1:${PORTAL_PORT}/api/health`);
  await waitFor(`http://127.0.0.1:${RUNTIME_PORT}/health`);

  const runtime = `http://127.0.0.1:${RUNTIME_PORT}`;
  const sql = (key: string) => ({ method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: 'SELECT 1' });
  const rows: Row[] = [];
  rows.push(load('runtime GET /health', `${runtime}/health`, { method: 'GET' }));
  rows.push(load('runtime POST /v1/sql SELECT 1, valid key', `${runtime}/v1/sql`, sql(validKey)));
  rows.push(load('runtime POST /v1/sql, unknown well-formed key (401)', `${runtime}/v1/sql`, sql(generateApiKey())));
  rows.push(load('runtime POST /v1/sql, malformed key (401)', `${runtime}/v1/sql`, sql('not-a-key')));
  rows.push(load('portal GET /api/health (cheapest route)', `http://127.0.0.1:${PORTAL_PORT}/api/health`, { method: 'GET' }));

  const store = openKeyStore(databaseUrl);
  const unknownKey = generateApiKey();
  const verify = {
    valid: await opsPerSecond(() => authenticateKey(validKey, store, secrets.digestSecret)),
    unknown: await opsPerSecond(() => authenticateKey(unknownKey, store, secrets.digestSecret)),
    malformed: await opsPerSecond(() => authenticateKey('spk_not-a-key', store, secrets.digestSecret)),
  };
  await store.close();

  const column: Column = { rows, verify };
  console.log(JSON.stringify(column));
} finally {
  for (const child of children) child.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  await database.drop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
}
