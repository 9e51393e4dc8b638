// Revocation reaches queries already running: regenerating a key or deleting its app stops that
// key's running and streaming queries within a second or two, on every instance (each polls the
// shared database while queries run), and ends them as a missing key would: 401 on HTTP,
// UNAUTHENTICATED on Flight. Other keys' queries run on. Also measured here: what the poll costs.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { deleteApp } from '@/lib/actions/delete-app';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { openKeyStore } from '@/lib/runtime/key-store';
import { RunningQueries } from '@/lib/runtime/revocation';
import { rawClient, statementQuery } from '../support/flight-client';
import { startFlight } from '../support/flight-server';
import { testProvider } from '../support/test-database';
import { currentKeys, newApp, newUser, regenerateAs } from './fixtures';
import { signInAs } from './request';
import { startRuntimeProcess, type RuntimeProcess } from './runtime-process';
import { sql, startRuntime } from './runtime-helpers';

/** Runs for many seconds (10^12 rows), sending nothing until it ends: a query that is only running. */
const HEAVY = 'SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b';
/** The requirement is "within a second or two": the check runs every second, plus the poll and the answer. */
const WITHIN_MS = 2500;

type Answer = { status: number; body: string; at: number };

/** A /v1/sql request, with when its answer came; `settled` says whether it has yet. */
function tracked(url: string, key: string, body: string, signal?: AbortSignal) {
  const state = { settled: false };
  const answer = fetch(`${url}/v1/sql`, { method: 'POST', headers: { 'Content-Type': 'text/plain', 'X-API-Key': key }, body, signal }).then(
    async (res): Promise<Answer> => ({ status: res.status, body: await res.text(), at: performance.now() }),
    (error: unknown) => ({ status: 0, body: String(error), at: performance.now() }),
  );
  void answer.finally(() => (state.settled = true));
  return { answer, state };
}

async function appWithKeys(name: string) {
  const { user, org } = await newUser(name);
  const app = await newApp(user, org.name);
  return { user, app, keys: await currentKeys(app.id) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the HTTP door', () => {
  let runtime: Awaited<ReturnType<typeof startRuntime>>;
  beforeAll(async () => {
    // Three at once per app: the short query below does not wait for a heavy one's slot.
    runtime = await startRuntime({ RUNTIME_MAX_CONCURRENT_QUERIES_PER_APP: '3' });
  });
  afterAll(() => runtime.stop());

  it("answers a regenerated key's running query 401 within 2.5 s, and leaves the other key's queries alone", async () => {
    const { user, app, keys } = await appWithKeys('Rev');
    // The app's database is built by its first query: not part of what is measured.
    expect((await sql(runtime.url, keys[1], 'SELECT 1')).status).toBe(200);

    const other = new AbortController();
    const revoked = tracked(runtime.url, keys[1], HEAVY);
    const bystander = tracked(runtime.url, keys[2], HEAVY, other.signal);
    // Both authenticated and registered, and well into DuckDB.
    await expect.poll(() => runtime.revocation.size, { timeout: 10_000 }).toBe(2);
    await sleep(500);

    await signInAs(user);
    expect((await regenerateApiKey({ appId: app.id, slot: 1 })).ok).toBe(true);
    const returnedAt = performance.now();
    const answer = await revoked.answer;
    expect([answer.status, answer.body]).toEqual([401, 'Unauthorized']);
    expect(answer.at - returnedAt).toBeLessThan(WITHIN_MS);
    console.log(`[revocation] HTTP: 401 ${Math.round(answer.at - returnedAt)} ms after the regeneration returned`);

    // Key 2's heavy query runs on; a short one of key 2 is answered meanwhile.
    expect(bystander.state.settled).toBe(false);
    const short = await sql(runtime.url, keys[2], 'SELECT 42 AS answer');
    expect([short.status, await short.json()]).toEqual([200, [{ answer: 42 }]]);
    expect(bystander.state.settled).toBe(false);
    expect(runtime.revocation.size).toBe(1);
    other.abort();
    await bystander.answer;
    await expect.poll(() => runtime.revocation.size).toBe(0);
  });

  it("answers a deleted app's running query 401 within 2.5 s", async () => {
    const { user, app, keys } = await appWithKeys('Del');
    expect((await sql(runtime.url, keys[2], 'SELECT 1')).status).toBe(200);
    const running = tracked(runtime.url, keys[2], HEAVY);
    await expect.poll(() => runtime.revocation.size, { timeout: 10_000 }).toBe(1);
    await sleep(300);

    await signInAs(user);
    expect((await deleteApp({ appId: app.id, confirmName: app.name })).ok).toBe(true);
    const deletedAt = performance.now();
    const answer = await running.answer;
    expect([answer.status, answer.body]).toEqual([401, 'Unauthorized']);
    expect(answer.at - deletedAt).toBeLessThan(WITHIN_MS);
    console.log(`[revocation] HTTP, app deleted: 401 ${Math.round(answer.at - deletedAt)} ms after the deletion returned`);
  });
});

describe('the Flight door', () => {
  let flight: Awaited<ReturnType<typeof startFlight>>;
  let client: ReturnType<typeof rawClient>;
  beforeAll(async () => {
    flight = await startFlight({ tls: false });
    client = rawClient(flight.port);
  });
  afterAll(async () => {
    client.close();
    await flight.stop();
  });

  it("ends a regenerated key's DoGet with UNAUTHENTICATED within 2.5 s, with nothing after it; the other key's stream runs on", async () => {
    const { user, app, keys } = await appWithKeys('Flo');
    // A large result (about 20 GB) that streams at the client's pace for far longer than the test.
    const large = "SELECT range AS i, repeat('s', 200) AS s FROM range(100000000)";
    const [mine, theirs] = await Promise.all([client.getFlightInfo(keys[1], statementQuery(large)), client.getFlightInfo(keys[2], statementQuery(HEAVY))]);

    const stream = client.startDoGet(keys[1], mine.endpoint[0]!.ticket.ticket);
    const received = { messages: 0, afterRegeneration: 0, afterEnd: 0 };
    let regeneratedAt = Infinity;
    let endedAt = 0;
    const ended = new Promise<{ code: number; details: string }>((resolve) => {
      stream.on('error', (error: grpc.ServiceError) => {
        endedAt = performance.now();
        resolve({ code: error.code, details: error.details });
      });
      stream.on('end', () => {
        endedAt = performance.now();
        resolve({ code: grpc.status.OK, details: '' });
      });
    });
    stream.on('data', () => {
      received.messages += 1;
      if (performance.now() >= regeneratedAt) received.afterRegeneration += 1;
      if (endedAt) received.afterEnd += 1;
    });
    const bystander = client.startDoGet(keys[2], theirs.endpoint[0]!.ticket.ticket);
    let bystanderEnded = false;
    bystander.on('data', () => undefined);
    bystander.on('error', () => (bystanderEnded = true));
    bystander.on('end', () => (bystanderEnded = true));

    await expect.poll(() => received.messages, { timeout: 10_000 }).toBeGreaterThan(10);
    await expect.poll(() => flight.revocation.size).toBe(2);
    await regenerateAs(user, app.id, [1]);
    regeneratedAt = performance.now();
    expect(await ended).toEqual({ code: grpc.status.UNAUTHENTICATED, details: 'Unauthorized' });
    expect(endedAt - regeneratedAt).toBeLessThan(WITHIN_MS);
    await sleep(300);
    expect(received.afterEnd).toBe(0);
    console.log(
      `[revocation] Flight: UNAUTHENTICATED ${Math.round(endedAt - regeneratedAt)} ms after the regeneration returned; ` +
        `${received.messages} messages in all, ${received.afterRegeneration} of them after the regeneration returned`,
    );

    expect(bystanderEnded).toBe(false);
    expect(flight.revocation.size).toBe(1);
    bystander.cancel();
    await expect.poll(() => flight.revocation.size).toBe(0);
  });
});

describe('two runtimes on one database', () => {
  let runtimes: RuntimeProcess[] = [];
  beforeAll(async () => {
    runtimes = await Promise.all([startRuntimeProcess(), startRuntimeProcess()]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.stop()));
  });

  it(`stops the key's query on each within 2.5 s of a regeneration made elsewhere (${testProvider})`, async () => {
    const [a, b] = runtimes as [RuntimeProcess, RuntimeProcess];
    const { user, app, keys } = await appWithKeys('Twin');
    for (const runtime of [a, b]) expect((await sql(runtime.url, keys[1], 'SELECT 1')).status).toBe(200);
    const onA = tracked(a.url, keys[1], HEAVY);
    const onB = tracked(b.url, keys[1], HEAVY);
    // Nothing outside says when another process has begun a query: long enough to be well into it.
    await sleep(1000);
    expect([onA.state.settled, onB.state.settled]).toEqual([false, false]);

    // Made by the portal's code in this process: neither runtime is told.
    await regenerateAs(user, app.id, [1]);
    const returnedAt = performance.now();
    for (const [name, query] of [
      ['A', onA],
      ['B', onB],
    ] as const) {
      const answer = await query.answer;
      expect([answer.status, answer.body]).toEqual([401, 'Unauthorized']);
      expect(answer.at - returnedAt).toBeLessThan(WITHIN_MS);
      console.log(`[revocation] runtime ${name} (${testProvider}): 401 ${Math.round(answer.at - returnedAt)} ms after the regeneration returned`);
    }
    // The new key works on both.
    const fresh = (await currentKeys(app.id))[1];
    for (const runtime of [a, b]) expect((await sql(runtime.url, fresh, 'SELECT 1 AS one')).status).toBe(200);
  });
});

describe('the check', () => {
  it('polls only while queries are registered, and a failed poll cancels nothing', async () => {
    const { app } = await appWithKeys('Poll');
    const row = await db.apiKey.findFirstOrThrow({ where: { appId: app.id, slot: 1 }, select: { id: true, digest: true } });
    const store = openKeyStore(process.env.DATABASE_URL!);
    const watch = new RunningQueries(store, { intervalMs: 100 });
    try {
      let revoked = 0;
      const unregister = watch.register(row, () => (revoked += 1));
      await expect.poll(() => watch.stats.polls).toBeGreaterThanOrEqual(3);
      unregister();
      await sleep(250);
      const polls = watch.stats.polls;
      await sleep(500);
      expect(watch.stats.polls).toBe(polls);
      expect(revoked).toBe(0);
    } finally {
      watch.close();
      await store.close();
    }

    // A database that cannot be reached: each tick logs the failure (no key, no address) and
    // tries again; the query runs on.
    const unreachable = openKeyStore('postgresql://runtime@127.0.0.1:1/unreachable');
    const logs: string[] = [];
    const failing = new RunningQueries(unreachable, { intervalMs: 100, log: (message) => logs.push(message) });
    try {
      let revoked = 0;
      failing.register(row, () => (revoked += 1));
      await expect.poll(() => logs.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
      expect(revoked).toBe(0);
      expect(new Set(logs)).toEqual(new Set(["[runtime] could not check running queries' keys: Error"]));
    } finally {
      failing.close();
      await unreachable.close();
    }
  });

  it('costs one indexed query per check: measured for 1 to 2000 keys', async () => {
    const store = openKeyStore(process.env.DATABASE_URL!);
    try {
      const real = (await db.apiKey.findMany({ select: { id: true, digest: true } })).map((key) => key.id);
      const lines: string[] = [];
      for (const count of [1, 10, 100, 500, 2000]) {
        // Real key ids first, then ids that match no row (the index is probed the same way).
        const ids = Array.from({ length: count }, (_, i) => real[i] ?? `c${String(i).padStart(24, '0')}`);
        const current = await store.currentDigests(ids);
        expect(current.size).toBe(Math.min(count, real.length));
        const times: number[] = [];
        for (let i = 0; i < 20; i++) {
          const t = performance.now();
          await store.currentDigests(ids);
          times.push(performance.now() - t);
        }
        times.sort((x, y) => x - y);
        lines.push(`${count} keys: median ${times[10]!.toFixed(2)} ms, max ${times[19]!.toFixed(2)} ms`);
        // Generous: a check that took a good part of its interval would be a finding.
        expect(times[10]).toBeLessThan(200);
      }
      console.log(`[revocation] one check (${testProvider}), ${lines.join('; ')}`);
    } finally {
      await store.close();
    }
  });
});
