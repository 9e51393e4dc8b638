// The runtime's part of npm run bench (scripts/bench.ts runs it last; alone:
// `npx tsx --conditions=react-server scripts/bench-runtime.ts`): the runtime under its default
// limits (lib/runtime/config.ts), as its own process on loopback, on a fresh SQLite file
// (or, with BENCH_ADMIN_URL, a fresh PostgreSQL database), in three scenarios:
//   1. one app alone with 16 connections of SELECT 1, against the same runtime with its limits raised;
//   2. three organizations with two apps each, every app keeping heavy queries at it, while a
//      fourth organization's SELECT 1 (one connection) and /health are measured, and the memory
//      the serving process and the engine workers had at most;
//   3. a memory bomb under the worker limit, then a worker killed with SIGKILL mid-query: how
//      soon others answer and the worker is back.
// Prints Markdown tables, each row with its aim; docs/benchmark.md shows a run. Not a test.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { benchAccounts, benchEnv, freshDatabase, load, peakRssOf, sqlRequest, waitFor, type Row } from './bench-run';
import { migrate } from '../lib/migrate';
import { createPrismaClient } from '../lib/prisma';
import { runtimeConfig, runtimeThreadPoolSize } from '../lib/runtime/config';

/** Each run of scenario 1 (two rounds of each runtime, alternating), after 1 s of warm-up. */
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 5000);
/** How long the fourth organization's SELECT 1 and /health are measured in scenario 2. */
const SATURATED_MS = Number(process.env.BENCH_SATURATED_MS ?? 15_000);
/** Heavy queries each app of scenario 2 keeps in flight (each re-sent as soon as it ends). */
const HEAVY_PER_APP = 3;
/** /health is asked every this many ms in scenario 2 (as a health check does), one at a time. */
const HEALTH_EVERY_MS = 10;
const HEAVY = 'SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b';
// 50,000 characters, each replaced by 10,000: 500 MB a row, for each of 10 rows.
const BOMB = `SELECT length(replace('${'x'.repeat(50_000)}', 'x', '${'y'.repeat(10_000)}')) AS n FROM range(10)`;
const root = process.cwd();
const defaults = runtimeConfig({});
const RAISED = {
  RUNTIME_MAX_CONCURRENT_QUERIES: '64',
  RUNTIME_MAX_QUEUED_QUERIES_PER_ORG: '10000',
  RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG: String(256 * 1024 ** 2),
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number) => `${fmt(bytes / 1024 ** 2)} MiB`;
const seconds = (ms: number) => `${fmt(ms / 1000, 2)} s`;

type Runtime = {
  name: string;
  url: string;
  child: ChildProcess;
  /** Each `engine worker <label> ready (pid <pid>)` line the runtime printed, when it arrived. */
  ready: { label: string; pid: number; at: number }[];
  /** The worker under this label now ("0", "1", "for app 7"). */
  worker: (label: string) => number | undefined;
  stop: () => Promise<void>;
};

/** The runtime's own entry point, as `npm run runtime` starts it, on ports the system picks. */
async function startRuntime(name: string, env: NodeJS.ProcessEnv, dataDir: string): Promise<Runtime> {
  const full: NodeJS.ProcessEnv = {
    ...env,
    RUNTIME_HOST: '127.0.0.1',
    RUNTIME_PORT: '0',
    RUNTIME_DATA_DIR: dataDir,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'lib', 'runtime', 'main.ts')], {
    env: { ...full, UV_THREADPOOL_SIZE: String(runtimeThreadPoolSize(full)) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready: Runtime['ready'] = [];
  let output = '';
  let pending = '';
  const onData = (data: Buffer) => {
    output += data.toString();
    pending += data.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const match = /engine worker (.+) ready \(pid (\d+)\)/.exec(line);
      if (match) ready.push({ label: match[1]!, pid: Number(match[2]), at: performance.now() });
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 60_000;
  let url = '';
  while (!url) {
    url = /Runtime listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    if (child.exitCode !== null || Date.now() > until) throw new Error(`the ${name} runtime did not start:\n${output}`);
    await sleep(50);
  }
  await waitFor(`${url}/health`);
  return {
    name,
    url,
    child,
    ready,
    worker: (label) => ready.findLast((line) => line.label === label)?.pid,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
    },
  };
}

/** POST /v1/sql: the status, once the whole answer is in (0: no answer). */
async function query(runtime: Runtime, key: string, sql: string, signal?: AbortSignal): Promise<number> {
  try {
    const res = await fetch(`${runtime.url}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql, signal });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}

/** Asks GET `url` every `everyMs` (one request at a time, on one keep-alive connection) for the duration: p50 and p99 in ms, and the answers by status. */
async function probe(url: string, durationMs: number, everyMs: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const latencies: number[] = [];
  const counts: Record<string, number> = {};
  const end = performance.now() + durationMs;
  while (performance.now() < end) {
    const started = performance.now();
    const status = await new Promise<number>((resolve) => {
      http
        .get(url, { agent }, (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        })
        .on('error', () => resolve(0));
    });
    const took = performance.now() - started;
    latencies.push(took);
    counts[status] = (counts[status] ?? 0) + 1;
    await sleep(Math.max(0, everyMs - took));
  }
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((latencies.length * p) / 100))] ?? NaN;
  return { p50: at(50), p99: at(99), counts };
}

const statuses = (counts: Record<string, number>) =>
  Object.entries(counts)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ') || 'none';
const latency = (row: { p50: number; p99: number }) => `${fmt(row.p50, 1)} / ${fmt(row.p99, 1)} ms`;

/** Polls until `fn` resolves true; the ms since `from` (NaN after `withinMs`). */
async function until(fn: () => Promise<boolean> | boolean, from: number, withinMs: number): Promise<number> {
  while (performance.now() - from < withinMs) {
    if (await fn()) return performance.now() - from;
    await sleep(10);
  }
  return Number.NaN;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-bench-'));
const runtimes: Runtime[] = [];
const database = await freshDatabase(dir);
try {
  const env = benchEnv(dir, database.url);
  await migrate(database.url);
  const db = createPrismaClient(database.url);
  const { newOwner, newApp } = benchAccounts(db, env);
  const solo = await newApp('solo-app', await newOwner('Solo', 'solo@example.com'));
  const heavyApps: { id: number; key: string }[] = [];
  for (const n of [1, 2, 3]) {
    const owner = await newOwner(`Heavy ${n}`, `heavy${n}@example.com`);
    heavyApps.push(await newApp(`heavy-${n}-a`, owner), await newApp(`heavy-${n}-b`, owner));
  }
  const newcomer = await newApp('newcomer-app', await newOwner('Newcomer', 'newcomer@example.com'));
  // Scenario 3's apps, by worker (apps are spread by id % RUNTIME_ENGINE_WORKERS, 2 by default).
  const byWorker: { id: number; key: string }[][] = [[], []];
  for (let n = 0; byWorker.some((apps) => apps.length < 2); n++) {
    const app = await newApp(`crash-${n}`, await newOwner(`Crash ${n}`, `crash${n}@example.com`));
    byWorker[app.id % 2]!.push(app);
  }
  await db.$disconnect();

  console.error('Starting the runtime with default limits, and one with its limits raised…');
  const runtime = await startRuntime('default', env, path.join(dir, 'runtime'));
  runtimes.push(runtime);
  const raised = await startRuntime('raised', { ...env, ...RAISED }, path.join(dir, 'runtime-raised'));
  runtimes.push(raised);
  // Every app's database is built before anything is measured.
  for (const app of [solo, ...heavyApps, newcomer, ...byWorker.flat()]) await query(runtime, app.key, 'SELECT 1');
  await query(raised, solo.key, 'SELECT 1');

  // 1. One app alone, 16 connections of SELECT 1: the default limits against raised ones.
  console.error('Scenario 1: one app alone, 16 connections…');
  const alone: { default: Row[]; raised: Row[] } = { default: [], raised: [] };
  for (let round = 0; round < 2; round++) {
    for (const [name, target] of [
      ['default', runtime],
      ['raised', raised],
    ] as const) {
      alone[name].push(await load(name, `${target.url}/v1/sql`, { ...sqlRequest(solo.key), connections: 16, durationMs: DURATION_MS }));
    }
  }
  await raised.stop();
  runtimes.splice(runtimes.indexOf(raised), 1);
  const sum = (rows: Row[], f: (row: Row) => number) => rows.reduce((total, row) => total + f(row), 0);
  const count = (rows: Row[], status: string) => sum(rows, (row) => row.counts[status] ?? 0);

  // 2. Three organizations with two apps each, every app keeping HEAVY_PER_APP heavy queries in flight.
  console.error('Scenario 2: three organizations saturating, a fourth one querying…');
  const stopHeavy = new AbortController();
  const heavyCounts: Record<string, number> = {};
  const heavyLoops = heavyApps.flatMap((app) =>
    Array.from({ length: HEAVY_PER_APP }, async () => {
      while (!stopHeavy.signal.aborted) {
        const status = await query(runtime, app.key, HEAVY, stopHeavy.signal);
        if (!stopHeavy.signal.aborted) heavyCounts[status] = (heavyCounts[status] ?? 0) + 1;
      }
    }),
  );
  await sleep(2000);
  const [fourth, health] = await Promise.all([
    load("a fourth organization's SELECT 1", `${runtime.url}/v1/sql`, { ...sqlRequest(newcomer.key), connections: 1, durationMs: SATURATED_MS, warmupMs: 500 }),
    sleep(500).then(() => probe(`${runtime.url}/health`, SATURATED_MS, HEALTH_EVERY_MS)),
  ]);
  stopHeavy.abort();
  await Promise.all(heavyLoops);
  const servingPeakSaturated = peakRssOf(runtime.child.pid);
  const workerPeaks = ['0', '1'].map((label) => ({ label, pid: runtime.worker(label), peak: peakRssOf(runtime.worker(label)) }));
  // The aborted queries are stopped in DuckDB (interrupted when their clients go); the workers are idle before scenario 3.
  await sleep(2000);

  // 3a. A memory bomb on one worker; 3b. the other worker killed mid-query.
  console.error('Scenario 3: a memory bomb, a killed worker…');
  const [bomber] = byWorker[0]!;
  const bombPid = runtime.worker('0');
  const bombStart = performance.now();
  const bombStatus = await query(runtime, bomber!.key, BOMB);
  const bombMs = performance.now() - bombStart;
  // A worker that died is reaped before its queries are answered: its /proc entry is gone by now.
  const bombSurvived = fs.existsSync(`/proc/${bombPid}`);
  const bombPeak = bombSurvived ? peakRssOf(bombPid) : 0;
  if (!bombSurvived) await until(() => runtime.ready.some((line) => line.label === '0' && line.pid !== bombPid), bombStart, 10_000);
  const bomberAfter = await query(runtime, bomber!.key, 'SELECT 1');

  const [victim, neighbour] = byWorker[1]! as [{ id: number; key: string }, { id: number; key: string }];
  const [bystander] = byWorker[0]!.slice(1) as [{ id: number; key: string }];
  const killedPid = runtime.worker('1')!;
  const victimQuery = query(runtime, victim.key, HEAVY);
  await sleep(500);
  process.kill(killedPid, 'SIGKILL');
  const killedAt = performance.now();
  const [victimMs, victimStatus, bystanderMs, neighbourMs, backMs] = await Promise.all([
    victimQuery.then(() => performance.now() - killedAt),
    victimQuery,
    until(async () => (await query(runtime, bystander.key, 'SELECT 1')) === 200, killedAt, 30_000),
    until(async () => (await query(runtime, neighbour.key, 'SELECT 1')) === 200, killedAt, 30_000),
    until(() => runtime.ready.some((line) => line.label === '1' && line.pid !== killedPid), killedAt, 30_000),
  ]);
  const servingPeak = peakRssOf(runtime.child.pid);

  const workerLimit = defaults.workers.memoryLimit;
  const slots = defaults.concurrency.slots;
  console.log(
    `\n${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; the runtime with its default limits (${slots} query slots, ${defaults.concurrency.queuedPerOrg} waiting per organization, ${defaults.workers.count} engine workers of ${workerLimit})\n`,
  );
  console.log(`| one app alone, 16 connections of \`SELECT 1\` (2 runs of ${fmt(DURATION_MS / 1000)} s each) | aim | figure |`);
  console.log('| --- | ---: | ---: |');
  for (const name of ['default', 'raised'] as const) {
    const rows = alone[name];
    const label =
      name === 'default'
        ? `default limits (${slots} slots, ${defaults.concurrency.queuedPerOrg} waiting): answers/s, p50 / p99 (the higher of the runs)`
        : `limits raised (${RAISED.RUNTIME_MAX_CONCURRENT_QUERIES} slots, ${fmt(Number(RAISED.RUNTIME_MAX_QUEUED_QUERIES_PER_ORG))} waiting): answers/s, p50 / p99 (the higher of the runs)`;
    const p50 = Math.max(...rows.map((row) => row.p50));
    const p99 = Math.max(...rows.map((row) => row.p99));
    console.log(`| ${label} | | ${fmt(count(rows, '200') / ((rows.length * DURATION_MS) / 1000))} (${latency({ p50, p99 })}) |`);
  }
  const ratio = count(alone.default, '200') / count(alone.raised, '200');
  const defaultCounts: Record<string, number> = {};
  for (const row of alone.default) for (const [status, n] of Object.entries(row.counts)) defaultCounts[status] = (defaultCounts[status] ?? 0) + n;
  console.log(`| default / raised | ≥ 0.8 | ${fmt(ratio, 2)} |`);
  console.log(`| 429s under the default limits (all answers) | 0 | ${fmt(defaultCounts['429'] ?? 0)} (${statuses(defaultCounts)}) |`);

  console.log(
    `\n| three organizations × two apps, each app ${HEAVY_PER_APP} heavy queries at once (re-sent as each ends); ${fmt(SATURATED_MS / 1000)} s measured | aim | figure |`,
  );
  console.log('| --- | ---: | ---: |');
  console.log(`| a fourth organization's \`SELECT 1\`, one connection: answers/s, p50 / p99 | p99 < 100 ms | ${fmt(fourth.rps)} (${latency(fourth)}) |`);
  console.log(`| its 429s (all answers) | 0 | ${fmt(fourth.counts['429'] ?? 0)} (${statuses(fourth.counts)}) |`);
  console.log(`| \`GET /health\` every ${HEALTH_EVERY_MS} ms at the same time: p50 / p99 | p99 < 20 ms | ${latency(health)} (${statuses(health.counts)}) |`);
  console.log(
    `| the heavy queries' answers meanwhile (each runs to the ${fmt(defaults.queryTimeoutMs / 1000)} s time limit, 408) | | ${Object.keys(heavyCounts).length ? statuses(heavyCounts) : 'none yet'} |`,
  );
  console.log(`| serving process: peak RSS (VmHWM) since it started | < 300 MB | ${mb(servingPeakSaturated)} |`);
  for (const { label, pid, peak } of workerPeaks) console.log(`| engine worker ${label} (pid ${pid}): peak RSS | < ${workerLimit} | ${mb(peak)} |`);

  console.log('\n| a memory bomb, then a worker killed mid-query (default limits) | aim | figure |');
  console.log('| --- | ---: | ---: |');
  console.log(`| \`replace()\` building 500 MB a row, 10 rows: status, time | 503 | ${bombStatus}, ${seconds(bombMs)} |`);
  console.log(
    `| its worker afterwards, and its peak RSS | alive, ≤ ${workerLimit} + shared code | ${bombSurvived ? 'alive' : 'restarted'}, ${bombSurvived ? mb(bombPeak) : 'n/a'} |`,
  );
  console.log(`| the bomber's next \`SELECT 1\` | 200 | ${bomberAfter} |`);
  console.log(`| worker 1 killed (SIGKILL) 0.5 s into a heavy query: that query's answer | 503 | ${victimStatus}, ${seconds(victimMs)} after the kill |`);
  console.log(`| another app's \`SELECT 1\` (on worker 0) answered | < 2 s | ${seconds(bystanderMs)} after the kill |`);
  console.log(`| worker 1 back (\`engine worker 1 ready\`) | < 5 s | ${seconds(backMs)} after the kill |`);
  console.log(`| a neighbour app's \`SELECT 1\` (on worker 1: waits for the new worker) answered | < 5 s | ${seconds(neighbourMs)} after the kill |`);
  console.log(`| serving process: peak RSS through all three scenarios | < 300 MB | ${mb(servingPeak)} |`);
} finally {
  for (const runtime of runtimes) await runtime.stop();
  await database.drop().catch(() => undefined);
  fs.rmSync(dir, { recursive: true, force: true });
}
