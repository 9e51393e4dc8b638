// The engine workers are the runtime's memory wall: queries that build values no list of bad
// functions knows about, a worker killed mid-query, an app that keeps killing its worker. Each
// test checks what a tenant sees (the status and message of its answer, other apps' answers) and
// the processes' memory as the operating system reports it. The runtime runs as its own process
// with its default settings (2 workers, 1 GiB each).
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawClient, statementQuery } from '../support/flight-client';
import { currentKeys, newApp, newUser } from './fixtures';
import { startRuntimeProcess, type RuntimeProcess } from './runtime-process';

const WORKER_LIMIT = 1024 ** 3;
/** A worker's resident memory may pass its data limit by its shared code (Node.js and DuckDB's library). */
const WORKER_CEILING = WORKER_LIMIT + 160 * 1024 ** 2;
const SERVING_CEILING = 300 * 1024 ** 2;
const HEAVY = 'SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b';

let runtime: RuntimeProcess;
type App = { id: number; keys: { 1: string; 2: string } };
/** Apps on worker 0 and worker 1 (apps are spread by id). */
const apps: App[] = [];

function query(key: string, sql: string) {
  return fetch(`${runtime.url}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql });
}

async function answer(key: string, sql: string) {
  const res = await query(key, sql);
  const body = await res.text();
  return { status: res.status, body, retryAfter: res.headers.get('retry-after') };
}

const workerOf = (app: App) => String(app.id % 2);

async function appOnWorker(worker: string, name: string): Promise<App> {
  for (let i = 0; ; i++) {
    const { user, org } = await newUser(`${name}${i}`);
    const app = await newApp(user, org.name, `${name.toLowerCase()}-${i}`);
    if (String(app.id % 2) === worker) return { id: app.id, keys: await currentKeys(app.id) };
  }
}

/** Resolves with the pid of the worker under `label` once it differs from `old`. */
async function restarted(label: string, old: number, within: number): Promise<number> {
  const until = Date.now() + within;
  for (;;) {
    const pid = runtime.workers().get(label);
    if (pid && pid !== old) return pid;
    if (Date.now() > until) throw new Error(`worker ${label} did not come back within ${within} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  // Flight in plain gRPC, for the raw client; everything else as by default.
  runtime = await startRuntimeProcess({ FLIGHT_TLS: 'off' });
  apps.push(await appOnWorker('0', 'Zero'), await appOnWorker('1', 'One'));
  for (const app of apps) expect((await answer(app.keys[1], 'SELECT 1 AS one')).body).toBe('[{"one":1}]');
  expect([...runtime.workers().keys()].sort()).toEqual(['0', '1']);
});

afterAll(async () => {
  expect(runtime.memory().peak).toBeLessThan(SERVING_CEILING);
  await runtime.stop();
});

describe('values no list knows about', () => {
  // 50,000 characters, each replaced by 10,000: 500 MB a row, for every row.
  const big = 'x'.repeat(50_000);
  const by = 'y'.repeat(10_000);
  it.each([
    ['replace()', `SELECT length(replace('${big}', 'x', '${by}')) AS n FROM range(10)`],
    ["regexp_replace(…, 'g')", `SELECT length(regexp_replace('${big}', 'x', '${by}', 'g')) AS n FROM range(10)`],
  ])('stops %s at the worker memory limit with a 503 naming it, and every app answers after', async (_, sql) => {
    const [bomber, bystander] = apps as [App, App];
    const { status, body } = await answer(bomber.keys[1], sql);
    expect(status).toBe(503);
    expect(JSON.parse(body).error).toMatch(/RUNTIME_WORKER_MEMORY_LIMIT/);
    expect(body).not.toContain(runtime.dataDir);
    expect((await answer(bystander.keys[1], 'SELECT count(*) AS n FROM taxi_trips')).body).toBe('[{"n":10000}]');
    expect((await answer(bomber.keys[2], 'SELECT 1 AS one')).body).toBe('[{"one":1}]');
    for (const pid of runtime.workers().values()) expect(runtime.memoryOf(pid).peak).toBeLessThan(WORKER_CEILING);
    expect(runtime.memory().rss).toBeLessThan(SERVING_CEILING);
  });
});

describe('a worker killed mid-query', () => {
  it('fails only its own queries, with a clear 503, and is back within 5 s with its apps', async () => {
    const [victim, bystander] = apps as [App, App];
    const label = workerOf(victim);
    const old = runtime.workers().get(label)!;
    const running = answer(victim.keys[1], HEAVY);
    const other = answer(bystander.keys[1], HEAVY.replace('1000000) b', '500) b'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(old, 'SIGKILL');
    const killedAt = Date.now();
    const failed = await running;
    expect(failed.status).toBe(503);
    expect(JSON.parse(failed.body).error).toMatch(/query engine worker running this query stopped.*RUNTIME_WORKER_MEMORY_LIMIT/);
    expect(failed.retryAfter).toBe('1');
    // Another app answers at once, and the other worker's query was not touched.
    expect((await answer(bystander.keys[1], 'SELECT 1 AS one')).body).toBe('[{"one":1}]');
    expect(Date.now() - killedAt).toBeLessThan(2000);
    expect((await other).status).toBe(200);
    await restarted(label, old, 5000);
    // The app's database is a file: the new worker opens it again.
    expect((await answer(victim.keys[2], 'SELECT count(*) AS n FROM taxi_trips')).body).toBe('[{"n":10000}]');
  });

  it('ends a Flight stream of the killed worker with UNAVAILABLE, naming the limit', async () => {
    const port = Number(/Arrow Flight listening on grpc:\/\/[^:]+:(\d+)/.exec(runtime.output())![1]);
    const client = rawClient(port);
    try {
      const [victim] = apps as [App, App];
      const label = workerOf(victim);
      const old = runtime.workers().get(label)!;
      const info = await client.getFlightInfo(victim.keys[1], statementQuery(HEAVY));
      const ended = client.doGet(victim.keys[1], info.endpoint[0]!.ticket.ticket).then(
        () => ({ code: grpc.status.OK, details: '' }),
        (error: { code: number; details: string }) => ({ code: error.code, details: error.details }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(old, 'SIGKILL');
      expect(await ended).toEqual({
        code: grpc.status.UNAVAILABLE,
        details: expect.stringMatching(/worker running this query stopped.*RUNTIME_WORKER_MEMORY_LIMIT/),
      });
      await restarted(label, old, 5000);
      expect((await answer(victim.keys[2], 'SELECT 1 AS one')).body).toBe('[{"one":1}]');
    } finally {
      client.close();
    }
  });

  it('gives an app that keeps killing its worker a worker of its own, then refuses it for a minute', async () => {
    const { user, org } = await newUser('Kali');
    const created = await newApp(user, org.name, 'kills-workers');
    const culprit: App = { id: created.id, keys: await currentKeys(created.id) };
    const neighbour = apps.find((app) => workerOf(app) === workerOf(culprit))!;
    const kill = async (label: string) => {
      const pid = runtime.workers().get(label)!;
      const running = answer(culprit.keys[1], HEAVY);
      await new Promise((resolve) => setTimeout(resolve, 300));
      process.kill(pid, 'SIGKILL');
      expect((await running).status).toBe(503);
      await restarted(label, pid, 5000);
    };
    expect((await answer(culprit.keys[1], 'SELECT 1 AS one')).status).toBe(200);
    await kill(workerOf(culprit));
    await kill(workerOf(culprit));
    // Two in a row: the app moves to a worker of its own.
    const own = `for app ${culprit.id}`;
    await expect.poll(() => runtime.workers().has(own), { timeout: 5000 }).toBe(true);
    await kill(own);
    const refused = await answer(culprit.keys[2], 'SELECT 1 AS one');
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.body).error).toMatch(/refused for a minute/);
    expect(Number(refused.retryAfter)).toBeGreaterThan(50);
    // Its old neighbour was not in flight in the later crashes, and is served as before.
    expect((await answer(neighbour.keys[1], 'SELECT 1 AS one')).body).toBe('[{"one":1}]');
  });
});
