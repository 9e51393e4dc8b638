// The runtime survives its users: every attack an app key holder tried (issue 9's table) gets a
// clear answer, and afterwards the runtime process still answers, with its memory (as the
// operating system reports it) under 300 MB for the serving process and under the 1 GiB limit
// for each engine worker. The runtime runs as its own process with default limits, except a
// shorter time limit and temp limit so the test is quick.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentKeys, newApp, newUser } from './fixtures';
import { startRuntimeProcess, type RuntimeProcess } from './runtime-process';

/** The serving process: sockets, keys, the scheduler; DuckDB runs in the workers. */
const CEILING = 300 * 1024 ** 2;
/** An engine worker's data limit (RUNTIME_WORKER_MEMORY_LIMIT), plus its shared code (Node.js, DuckDB's library). */
const WORKER_CEILING = 1024 ** 3 + 160 * 1024 ** 2;
const TEMP_LIMIT = '128MB';
const TIMEOUT_MS = 6000;

let runtime: RuntimeProcess;
let attacker: { 1: string; 2: string };
let bystander: { 1: string; 2: string };

function folderBytes(dir: string): number {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).reduce((total, entry) => {
    return entry.isFile() ? total + fs.statSync(path.join(entry.parentPath, entry.name)).size : total;
  }, 0);
}

function query(key: string, sql: string, init: RequestInit = {}) {
  return fetch(`${runtime.url}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql, ...init });
}

/** The runtime still answers: /health, and a query of another app and of the attacker's own. */
async function expectHealthy() {
  expect((await fetch(`${runtime.url}/health`)).status).toBe(200);
  expect(await (await query(bystander[1], 'SELECT count(*) AS n FROM taxi_trips')).json()).toEqual([{ n: 10000 }]);
  expect(await (await query(attacker[2], 'SELECT 1 AS one')).json()).toEqual([{ one: 1 }]);
  expect(runtime.memory().rss).toBeLessThan(CEILING);
  for (const pid of runtime.workers().values()) expect(runtime.memoryOf(pid).rss).toBeLessThan(WORKER_CEILING);
}

async function expectRefused(sql: string, status: number, message: RegExp) {
  const res = await query(attacker[1], sql);
  const body = await res.text();
  expect({ status: res.status, body }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(JSON.parse(body).error).toMatch(message);
  return JSON.parse(body).error as string;
}

/**
 * Resolves once `count` of the requests were turned away (429): the slots and the organization's
 * queue are full then, with the rest of the requests running or waiting in the runtime.
 */
function untilTurnedAway(requests: Promise<Response | null>[], count: number): Promise<void> {
  let refused = 0;
  return new Promise((resolve, reject) => {
    for (const request of requests) {
      void request.then(
        (res) => {
          if (res?.status === 429 && ++refused === count) resolve();
        },
        () => undefined,
      );
    }
    void Promise.allSettled(requests).then(() => reject(new Error(`${refused} of the requests were turned away, not ${count}`)));
  });
}

beforeAll(async () => {
  const { user, org } = await newUser('Mallory');
  attacker = await currentKeys((await newApp(user, org.name, 'attacker-app')).id);
  const other = await newUser('Olga');
  bystander = await currentKeys((await newApp(other.user, other.org.name, 'bystander-app')).id);
  runtime = await startRuntimeProcess({ RUNTIME_QUERY_TIMEOUT_MS: String(TIMEOUT_MS), RUNTIME_DUCKDB_TEMP_LIMIT: TEMP_LIMIT });
  // Both apps' databases exist before the attacks.
  await expectHealthy();
});

afterAll(async () => {
  // Across every attack, the process never held more than the ceiling.
  const { peak } = runtime.memory();
  await runtime.stop();
  expect(peak).toBeLessThan(CEILING);
});

describe('memory', () => {
  it('refuses a row of 10 lists of 20 million numbers before DuckDB makes them', async () => {
    await expectRefused('SELECT range(0, 20000000) AS r FROM range(10)', 400, /at most 10000 characters or elements/);
    await expectHealthy();
  });

  it.each([`SELECT repeat('x', 1000000000)`, `SELECT repeat('x', 200000000) FROM range(5)`, `SELECT lpad('x', 1000000000, 'y')`])(
    'refuses a huge value: %s',
    async (sql) => {
      await expectRefused(sql, 400, /at most 10000 characters or elements/);
      await expectHealthy();
    },
  );

  it.each([`SELECT length(string_agg('xxxxxxxxxx', '')) AS n FROM range(100000000)`, 'SELECT len(list(range)) AS n FROM range(100000000)'])(
    'stops a query at the app memory limit, naming it: %s',
    async (sql) => {
      await expectRefused(sql, 400, /RUNTIME_DUCKDB_MEMORY_LIMIT, 256MB/);
      await expectHealthy();
    },
  );

  it('stops an answer larger than the result budget, naming RUNTIME_MAX_RESULT_BYTES', async () => {
    // 500 rows of the whole table's payment types joined: about 60 MB of answer.
    await expectRefused(
      `SELECT (SELECT string_agg(payment_type || trip_id, ',') FROM taxi_trips) AS s FROM range(500)`,
      400,
      /larger than 16777216 bytes \(RUNTIME_MAX_RESULT_BYTES\)/,
    );
    await expectHealthy();
  });
});

describe('clients that never read, or never finish sending', () => {
  /** Opens a raw connection that sends `request` and reads the first chunk of the answer, then nothing more. */
  function rawClient(request: string) {
    const { port } = new URL(runtime.url);
    const socket = net.connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    const first = new Promise<string>((resolve) => {
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        resolve(chunk.toString('latin1'));
      });
      socket.once('close', () => resolve(''));
    });
    socket.write(request);
    return { socket, first };
  }

  it('holds a part of each answer at most, whatever the number of clients that do not read', async () => {
    // About 12 MB an answer, to eight clients that take its first bytes and nothing more.
    const sql = `SELECT (SELECT string_agg(payment_type || trip_id, ',') FROM taxi_trips) AS s FROM range(100)`;
    const clients = Array.from({ length: 8 }, () =>
      rawClient(
        `POST /v1/sql HTTP/1.1\r\nHost: runtime\r\nX-API-Key: ${attacker[1]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(sql)}\r\n\r\n${sql}`,
      ),
    );
    const firsts = await Promise.all(clients.map((client) => client.first));
    // Six run and are being sent; an answer not yet taken keeps its query's slot (its worker holds
    // it), so the organization's last two wait for a slot until their time limit.
    const statuses = firsts.map((first) => first.split(' ')[1] ?? first);
    expect(statuses.filter((status) => status === '200').length).toBe(6);
    expect(statuses.filter((status) => status !== '200')).toEqual(['408', '408']);
    expect(runtime.memory().rss).toBeLessThan(CEILING);
    // Another key is not held up by them.
    expect(await (await query(bystander[1], 'SELECT count(*) AS n FROM taxi_trips')).json()).toEqual([{ n: 10000 }]);
    for (const client of clients) client.socket.destroy();
    await expectHealthy();
  });

  it('holds a bounded number of body bytes for one key, and turns away the rest with a 503 that says why', async () => {
    // Forty bodies of 1 MiB, each sent but for its last byte: the key may hold 32 MiB.
    const size = 1024 * 1024;
    const clients = Array.from({ length: 40 }, () =>
      rawClient(
        `POST /v1/sql HTTP/1.1\r\nHost: runtime\r\nX-API-Key: ${attacker[1]}\r\nContent-Type: text/plain\r\nContent-Length: ${size}\r\n\r\n${'-'.repeat(size - 1)}`,
      ),
    );
    const refused = await Promise.race([
      Promise.any(clients.map((client) => client.first.then((first) => (first.startsWith('HTTP/1.1 503') ? first : Promise.reject(new Error(first)))))),
      new Promise<string>((resolve) => setTimeout(() => resolve('none within 10 s'), 10_000)),
    ]);
    expect(refused).toMatch(/^HTTP\/1\.1 503[\s\S]*Retry-After: 1[\s\S]*request bodies for this key/);
    expect(runtime.memory().rss).toBeLessThan(CEILING);
    expect(await (await query(bystander[1], 'SELECT 1 AS one')).json()).toEqual([{ one: 1 }]);
    for (const client of clients) client.socket.destroy();
    await expectHealthy();
  });
});

describe('temp files', () => {
  // A runtime of its own with a long time limit: how fast a sort spills depends on the disk, and
  // on a slow one the 6 s limit of the others would stop it before it reached the temp limit.
  let spill: RuntimeProcess;
  beforeAll(async () => {
    spill = await startRuntimeProcess({ RUNTIME_QUERY_TIMEOUT_MS: '120000', RUNTIME_DUCKDB_TEMP_LIMIT: TEMP_LIMIT });
  });
  afterAll(() => spill.stop());

  it('stops a sort that spills past the app temp limit, naming it, and leaves the disk as it was', { timeout: 150_000 }, async () => {
    const res = await fetch(`${spill.url}/v1/sql`, {
      method: 'POST',
      headers: { 'X-API-Key': attacker[1], 'Content-Type': 'text/plain' },
      body: `SELECT range AS i, repeat('x', 200) || range::VARCHAR AS s FROM range(10000000000) ORDER BY s DESC`,
    });
    const body = await res.text();
    expect({ status: res.status, body }).toMatchObject({ status: 400 });
    const error = JSON.parse(body).error as string;
    expect(error).toMatch(/RUNTIME_DUCKDB_TEMP_LIMIT, 128MB/);
    expect(error).not.toContain(spill.dataDir);
    expect((await fetch(`${spill.url}/health`)).status).toBe(200);
    expect(spill.memory().peak).toBeLessThan(CEILING);
    // The answer comes as soon as the query is stopped; DuckDB lets go of its spill files a moment
    // later, when it notices.
    await expect.poll(() => folderBytes(path.join(spill.dataDir, 'tmp')), { timeout: 10_000 }).toBeLessThan(128e6);
  });
});

describe('fair sharing', () => {
  const heavy = 'SELECT sum(a.range * b.range) AS s FROM range(1000000) a, range(1000000) b';
  // The defaults: the query slots (RUNTIME_MAX_CONCURRENT_QUERIES) and the queries an
  // organization may have waiting (RUNTIME_MAX_QUEUED_QUERIES_PER_ORG).
  const SLOTS = 6;
  const QUEUED_PER_ORG = 64;

  it('lets one app run and queue many queries at once: 16 concurrent cheap queries, none turned away', async () => {
    const answers = await Promise.all(Array.from({ length: 16 }, () => query(attacker[1], 'SELECT count(*) AS n FROM taxi_trips')));
    expect(answers.map((res) => res.status)).toEqual(Array(16).fill(200));
    expect(await answers[0]!.json()).toEqual([{ n: 10000 }]);
  });

  it('keeps /health and another organization answering while one fills every slot and its queue with heavy queries, and turns away only what is beyond its queue', async () => {
    // An app of its own, so that no query of the tests above still holds one of its slots.
    const { user, org } = await newUser('Hugo');
    const hog = await currentKeys((await newApp(user, org.name, 'heavy-app')).id);
    expect((await query(hog[1], 'SELECT 1')).status).toBe(200);
    const started = Date.now();
    // Every slot runs one, the organization's queue is full, and the last two are turned away at
    // once. From then on the organization holds every slot, and the others are measured: another
    // organization, with nothing running, starts its query at once (the newcomer burst).
    const attacks = Array.from({ length: SLOTS + QUEUED_PER_ORG + 2 }, () => query(hog[1], heavy));
    await untilTurnedAway(attacks, 2);

    const healthTimes: number[] = [];
    const otherTimes: number[] = [];
    while (Date.now() - started < TIMEOUT_MS - 1500) {
      let t = performance.now();
      expect((await fetch(`${runtime.url}/health`, { signal: AbortSignal.timeout(5000) })).status).toBe(200);
      healthTimes.push(performance.now() - t);
      t = performance.now();
      expect(await (await query(bystander[2], 'SELECT 1 AS one', { signal: AbortSignal.timeout(5000) })).json()).toEqual([{ one: 1 }]);
      otherTimes.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const answers = await Promise.all(attacks);
    const statuses = answers.map((res) => res.status);
    // Generous margins (the aims are 100 ms and 1 s; the benchmark measures the figures): nearly
    // every answer comes within them, and none takes the many seconds that a blocked event loop
    // or a starved organization would cost. One scheduling hiccup on a loaded machine is not a failure.
    const p95 = (times: number[]) => [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!;
    expect(p95(healthTimes)).toBeLessThan(500);
    expect(Math.max(...healthTimes)).toBeLessThan(3000);
    expect(p95(otherTimes)).toBeLessThan(2000);
    expect(Math.max(...otherTimes)).toBeLessThan(4000);
    // Those that ran or waited reached the time limit; only the two beyond the queue were refused.
    expect(statuses.filter((status) => status === 408).length).toBe(SLOTS + QUEUED_PER_ORG);
    expect(statuses.filter((status) => status === 429).length).toBe(2);
    const turnedAway = answers.find((res) => res.status === 429)!;
    expect(turnedAway.headers.get('retry-after')).toBe('1');
    expect((await turnedAway.json()).error).toMatch(/RUNTIME_MAX_QUEUED_QUERIES_PER_ORG/);
    await expectHealthy();
  });

  it('keeps a fourth organization answering while three, with two apps each, saturate every slot', async () => {
    // Three free accounts, each with two apps that keep four heavy queries in flight: more than
    // every slot, and every organization's queue holds some. Before the scheduler, the fourth
    // organization's SELECT 1 waited for up to 29 s here.
    const hogs: string[] = [];
    for (const name of ['Hana', 'Hiro', 'Hedda']) {
      const { user, org } = await newUser(name);
      for (const app of ['first', 'second']) hogs.push((await currentKeys((await newApp(user, org.name, `${name.toLowerCase()}-${app}`)).id))[1]);
    }
    const fourth = await newUser('Frida');
    const key = (await currentKeys((await newApp(fourth.user, fourth.org.name, 'fourth-app')).id))[1];
    expect((await query(key, 'SELECT 1')).status).toBe(200);
    const started = Date.now();
    const attacks = hogs.flatMap((hog) => Array.from({ length: 4 }, () => query(hog, heavy)));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const times: number[] = [];
    while (Date.now() - started < TIMEOUT_MS - 1500) {
      const t = performance.now();
      expect(await (await query(key, 'SELECT 1 AS one', { signal: AbortSignal.timeout(5000) })).json()).toEqual([{ one: 1 }]);
      times.push(performance.now() - t);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const statuses = (await Promise.all(attacks)).map((res) => res.status);
    // Each organization's queue holds its eight: none is turned away; all reach the time limit.
    expect(statuses).toEqual(Array(24).fill(408));
    // Generous margins, as above (the aim is 100 ms; the benchmark measures it).
    const p95 = [...times].sort((a, b) => a - b)[Math.floor(times.length * 0.95)]!;
    expect(p95).toBeLessThan(2000);
    expect(Math.max(...times)).toBeLessThan(4000);
    await expectHealthy();
  });

  it('cancels the queries of a client that goes away, running or waiting, freeing their slots', async () => {
    const gone = new AbortController();
    // The client goes away once its queries hold every slot and every place in its
    // organization's queue (the next is turned away), and the running ones are well into DuckDB.
    // That last part is a time, not an event: nothing outside tells when DuckDB has begun.
    const abandoned = Array.from({ length: SLOTS + QUEUED_PER_ORG + 1 }, () => query(attacker[1], heavy, { signal: gone.signal }).catch(() => null));
    await untilTurnedAway(abandoned, 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    gone.abort();
    await Promise.all(abandoned);
    // Without the cancellation the slots and the queue would stay full until the time limit.
    const t = performance.now();
    const res = await query(attacker[1], 'SELECT 42 AS answer');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ answer: 42 }]);
    expect(performance.now() - t).toBeLessThan(TIMEOUT_MS / 2);
  });
});

describe('a locked engine', () => {
  it('refuses enable_logging, and the app keeps working with either key', async () => {
    await expectRefused(`SELECT * FROM enable_logging(level='trace', storage='file', storage_path='/tmp/x')`, 400, /enable_logging\(\) is not allowed/);
    await expectRefused(`SELECT * FROM disable_logging()`, 400, /disable_logging\(\) is not allowed/);
    await expectRefused(`CALL enable_logging()`, 400, /read-only/);
    for (const key of [attacker[1], attacker[2]]) {
      expect(await (await query(key, 'SELECT count(*) AS n FROM taxi_trips')).json()).toEqual([{ n: 10000 }]);
    }
    await expectHealthy();
  });

  it.each([
    'SELECT * FROM duckdb_settings()',
    `SELECT current_setting('temp_directory')`,
    'SELECT * FROM duckdb_databases()',
    'SELECT * FROM duckdb_tables',
    'SELECT * FROM pg_catalog.pg_settings',
    `SELECT * FROM glob('/*')`,
    `SELECT * FROM query('SELECT 1')`,
    `SELECT * FROM '/etc/passwd'`,
    `SELECT getvariable('x')`,
    `SELECT setseed(0.5)`,
    'PRAGMA database_list',
    'SHOW databases',
  ])('refuses what reads settings, files, the catalogue or engine state: %s', async (sql) => {
    const error = await expectRefused(sql, 400, /./);
    expect(error).not.toMatch(/\/(tmp|home|root|work)\b/);
  });

  it.each([
    ['a negative size cancelling another', 'SELECT range(-20000000) AS a, range(0, 20000000) AS r FROM range(10)', /too large/],
    ['a negative pad cancelling another', `SELECT lpad('x', -1000000000) || lpad('y', 20000) AS s`, /too large/],
    ['widths adding up in a format pattern', `SELECT format('{0:>9999}{0:>9999}', 1) AS s`, /too large/],
    ['a huge bit string', `SELECT bitstring('1', 1000000000) AS b`, /too large/],
    ['replace nested in replace', `SELECT replace(replace('xxxxxxxxxx', 'x', 'xxxxxxxxxx'), 'x', 'xxxxxxxxxx') AS s`, /nested/],
    ['a list built in a list', 'SELECT list_transform(range(100), x -> list_transform(range(100), y -> x * y)) AS l', /nested/],
  ])('refuses %s, which would build a huge value outside the memory limit', async (_, sql, message) => {
    await expectRefused(sql, 400, message);
    await expectHealthy();
  });

  it('refuses a WITH query named after a system view (it would let that view through), and long texts', async () => {
    const error = await expectRefused('SELECT (WITH pg_settings AS (SELECT 1) SELECT 1) AS x, * FROM pg_settings', 400, /reserved/);
    expect(error).not.toMatch(/\/(tmp|home|root|work)\b/);
    await expectRefused('WITH t AS (SELECT 1 AS one) SELECT * FROM main.t', 400, /does not exist/);
    await expectRefused(`SELECT 1 AS one -- ${'x'.repeat(70_000)}`, 400, /longer than 65536 bytes/);
    // Ordinary uses still work.
    const own = await query(attacker[1], "WITH trips AS (SELECT * FROM taxi_trips) SELECT count(*) AS n, replace(min(payment_type), 'a', 'A') AS p FROM trips");
    expect(await own.json()).toEqual([{ n: 10000, p: 'cArd' }]);
  });

  it("lets metadata readers (BI tools, Flight SQL's catalog commands) see the app's own tables, and nothing of the server", async () => {
    const res = await query(attacker[1], 'SELECT * FROM information_schema.tables');
    expect(res.status).toBe(200);
    const rows = (await res.json()) as { table_name: string }[];
    expect(rows.map((row) => row.table_name)).toEqual(['taxi_trips']);
    const columns = await query(attacker[1], "SELECT column_name FROM information_schema.columns WHERE table_name = 'taxi_trips'");
    expect(((await columns.json()) as unknown[]).length).toBe(9);
    const text = JSON.stringify(rows);
    for (const secret of [runtime.dataDir, os.tmpdir() + '/', os.homedir(), process.cwd()]) expect(text).not.toContain(secret);
  });

  it('shows no server path, user name or catalogue hint in errors', async () => {
    const user = os.userInfo().username;
    const texts: string[] = [];
    for (const sql of ['SELECT nope FROM taxi_trips', 'SELECT * FROM taxi_trip', 'SELECT fare_amount +', 'SELECT duckdb_extensions()', `SELECT 'a'::INTEGER`]) {
      const res = await query(attacker[1], sql);
      expect(res.status).toBe(400);
      texts.push((await res.json()).error);
    }
    const all = texts.join('\n');
    for (const secret of [runtime.dataDir, os.tmpdir() + '/', os.homedir(), process.cwd(), 'system.main', 'pg_catalog']) {
      expect(all).not.toContain(secret);
    }
    if (user.length > 2) expect(all).not.toMatch(new RegExp(`\\b${user}\\b`));
  });
});
