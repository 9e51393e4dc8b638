import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '@/lib/db';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { generateApiKey } from '@/lib/shared/keys/format';
import { currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';
import { sql, startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
let owner: Awaited<ReturnType<typeof newUser>>;
let app: { id: number; name: string };
let keys: { 1: string; 2: string };

beforeAll(async () => {
  runtime = await startRuntime({ RUNTIME_QUERY_TIMEOUT_MS: '500' });
  owner = await newUser('Rita');
  app = await newApp(owner.user, owner.org.name, 'runtime-app');
  keys = await currentKeys(app.id);
});
afterAll(() => runtime.stop());

describe('health', () => {
  it('answers /health and /v1/ready without a key', async () => {
    const health = await fetch(`${runtime.url}/health`);
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    const ready = await fetch(`${runtime.url}/v1/ready`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready']);
  });
});

describe('POST /v1/sql', () => {
  it('runs SQL sent as text with either key and answers JSON row objects', async () => {
    for (const key of [keys[1], keys[2]]) {
      const res = await sql(runtime.url, key, 'SELECT 1 AS one');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await res.json()).toEqual([{ one: 1 }]);
    }
  });

  it('serves the taxi_trips sample dataset', async () => {
    const tables = await (await sql(runtime.url, keys[1], 'SHOW TABLES')).json();
    expect(tables).toEqual([{ name: 'taxi_trips' }]);
    const count = await (await sql(runtime.url, keys[1], 'SELECT COUNT(*) AS n FROM taxi_trips')).json();
    expect(count).toEqual([{ n: 10000 }]);
    const top = await (
      await sql(runtime.url, keys[1], 'SELECT trip_distance, total_amount FROM taxi_trips ORDER BY trip_distance DESC, total_amount DESC LIMIT 3')
    ).json();
    expect(top).toHaveLength(3);
    expect(typeof top[0].trip_distance).toBe('number');
    const columns = (await (await sql(runtime.url, keys[1], 'DESCRIBE taxi_trips')).json()).map((c: { column_name: string }) => c.column_name);
    expect(columns).toEqual(expect.arrayContaining(['pickup_datetime', 'passenger_count', 'trip_distance', 'fare_amount', 'tip_amount', 'total_amount']));
  });

  it('answers CSV with a header row for Accept: text/csv', async () => {
    const res = await sql(runtime.url, keys[1], `SELECT 1 AS a, 'x,y' AS b, NULL AS c`, { Accept: 'text/csv' });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(await res.text()).toBe('a,b,c\r\n1,"x,y",\r\n');
  });

  it('binds JSON parameters ($1, $2) instead of splicing them into the SQL', async () => {
    const res = await sql(runtime.url, keys[1], JSON.stringify({ sql: 'SELECT $1 AS v, $2 + 1 AS n', parameters: ["1'); DROP TABLE taxi_trips; --", 41] }), {
      'Content-Type': 'application/json',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([{ v: "1'); DROP TABLE taxi_trips; --", n: 42 }]);
    const bad = await sql(runtime.url, keys[1], JSON.stringify({ sql: 'SELECT $1', parameters: [] }), { 'Content-Type': 'application/json' });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/1 parameter/);
  });

  it('returns integers beyond 2^53 as strings, never rounded', async () => {
    const rows = await (
      await sql(
        runtime.url,
        keys[1],
        'SELECT 9007199254740993::BIGINT AS big, 9007199254740991::BIGINT AS safe, -9007199254740993::BIGINT AS neg, 170141183460469231731687303715884105727::HUGEINT AS huge',
      )
    ).json();
    expect(rows).toEqual([{ big: '9007199254740993', safe: 9007199254740991, neg: '-9007199254740993', huge: '170141183460469231731687303715884105727' }]);
  });

  it('cuts results at 500 rows and says so in a header', async () => {
    const cut = await sql(runtime.url, keys[1], 'SELECT * FROM taxi_trips');
    expect((await cut.json()).length).toBe(500);
    expect(cut.headers.get('x-rows-truncated')).toBe('true');
    expect(cut.headers.get('x-row-limit')).toBe('500');
    const whole = await sql(runtime.url, keys[1], 'SELECT * FROM taxi_trips LIMIT 500');
    expect((await whole.json()).length).toBe(500);
    expect(whole.headers.get('x-rows-truncated')).toBeNull();
  });

  it('answers a SQL error with 400 and a JSON error, never a 500', async () => {
    for (const query of ['SELEC 1', 'SELECT * FROM no_such_table', 'SELECT 1; SELECT 2', '   ']) {
      const res = await sql(runtime.url, keys[1], query);
      expect(res.status, query).toBe(400);
      expect(typeof (await res.json()).error).toBe('string');
    }
    const malformed = await sql(runtime.url, keys[1], '{"sql": ', { 'Content-Type': 'application/json' });
    expect(malformed.status).toBe(400);
    const wrongShape = await sql(runtime.url, keys[1], '{"query": "SELECT 1"}', { 'Content-Type': 'application/json' });
    expect(wrongShape.status).toBe(400);
  });

  it('stops a query that runs past the time limit', async () => {
    const res = await sql(runtime.url, keys[1], 'SELECT sum(a.range * b.range) FROM range(100000) a, range(100000) b');
    expect(res.status).toBe(408);
    expect((await res.json()).error).toBe('The query ran longer than 0.5 s (RUNTIME_QUERY_TIMEOUT_MS) and was stopped.');
    // The server is still fine afterwards.
    expect((await sql(runtime.url, keys[1], 'SELECT 2 AS two')).status).toBe(200);
  });

  it('refuses a body over 1 MiB with 413', async () => {
    const res = await sql(runtime.url, keys[1], `SELECT 1 -- ${'x'.repeat(1024 * 1024)}`);
    expect(res.status).toBe(413);
  });
});

describe('locked down', () => {
  const refused = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/hostname')",
    "COPY taxi_trips TO '/tmp/stolen.csv'",
    "ATTACH '/tmp/other.duckdb' AS other",
    'INSTALL httpfs',
    'LOAD httpfs',
    'CREATE TABLE t (a INTEGER)',
    'CREATE TEMP TABLE t (a INTEGER)',
    'INSERT INTO taxi_trips (trip_id) VALUES (1)',
    'UPDATE taxi_trips SET fare_amount = 0',
    'DELETE FROM taxi_trips',
    'DROP TABLE taxi_trips',
    'SET enable_external_access = true',
  ];
  it.each(refused)('refuses %s with 400 and changes nothing', async (query) => {
    const res = await sql(runtime.url, keys[1], query);
    expect(res.status).toBe(400);
    expect(typeof (await res.json()).error).toBe('string');
    const count = await (await sql(runtime.url, keys[1], 'SELECT COUNT(*) AS n, SUM(fare_amount) > 0 AS paid FROM taxi_trips')).json();
    expect(count).toEqual([{ n: 10000, paid: true }]);
  });

  it('shows each key only its own app', async () => {
    const other = await newApp(owner.user, owner.org.name, 'other-app');
    const otherKeys = await currentKeys(other.id);
    const mine = await (await sql(runtime.url, keys[1], 'SELECT current_database() AS db')).json();
    const theirs = await (await sql(runtime.url, otherKeys[1], 'SELECT current_database() AS db')).json();
    expect(mine).toEqual([{ db: `app-${app.id}` }]);
    expect(theirs).toEqual([{ db: `app-${other.id}` }]);
  });
});

describe('authentication', () => {
  it('gives the same 401 "Unauthorized" to a missing, empty, malformed, unknown or query-string key', async () => {
    const good = keys[1];
    const badChecksum = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    const attempts = [
      await sql(runtime.url, null, 'SELECT 1'),
      await sql(runtime.url, '', 'SELECT 1'),
      await sql(runtime.url, 'not-a-key', 'SELECT 1'),
      await sql(runtime.url, badChecksum, 'SELECT 1'),
      await sql(runtime.url, generateApiKey(), 'SELECT 1'),
      await fetch(`${runtime.url}/v1/sql?api_key=${good}&X-API-Key=${good}`, { method: 'POST', body: 'SELECT 1' }),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await res.text()).toBe('Unauthorized');
    }
  });

  it('rejects a regenerated key at once while the other key keeps working', async () => {
    const rotating = await newApp(owner.user, owner.org.name, 'rotating-app');
    const before = await currentKeys(rotating.id);
    expect((await sql(runtime.url, before[1], 'SELECT 1 AS one')).status).toBe(200);
    await signInAs(owner.user);
    expect((await regenerateApiKey({ appId: rotating.id, slot: 1 })).ok).toBe(true);
    const old = await sql(runtime.url, before[1], 'SELECT 1 AS one');
    expect([old.status, await old.text()]).toEqual([401, 'Unauthorized']);
    expect((await sql(runtime.url, before[2], 'SELECT 1 AS one')).status).toBe(200);
    const after = await currentKeys(rotating.id);
    expect((await sql(runtime.url, after[1], 'SELECT 1 AS one')).status).toBe(200);
  });

  it('records when a key was last used, at most once a minute, and forgets it on regeneration', async () => {
    const tracked = await newApp(owner.user, owner.org.name, 'tracked-app');
    const trackedKeys = await currentKeys(tracked.id);
    const lastUsed = async (slot: number) =>
      (await db.apiKey.findUniqueOrThrow({ where: { appId_slot: { appId: tracked.id, slot } }, select: { lastUsedAt: true } })).lastUsedAt;
    const { id: keyId } = await db.apiKey.findUniqueOrThrow({ where: { appId_slot: { appId: tracked.id, slot: 1 } }, select: { id: true } });
    // The writes of this key's use: the runtime starts one (or not) while it handles the request.
    const recordUse = vi.spyOn(runtime.keys, 'recordUse');
    const writes = () => recordUse.mock.calls.flatMap(([use], i) => (use.keyId === keyId ? [recordUse.mock.results[i]!.value as Promise<void>] : []));
    try {
      expect(await lastUsed(1)).toBeNull();
      await sql(runtime.url, trackedKeys[1], 'SELECT 1');
      expect(writes()).toHaveLength(1);
      await writes()[0];
      const first = await lastUsed(1);
      expect(first).toBeInstanceOf(Date);
      expect(Date.now() - first!.getTime()).toBeLessThan(5000);
      // Used again within the minute: answered without a second write.
      await sql(runtime.url, trackedKeys[1], 'SELECT 1');
      expect(writes()).toHaveLength(1);
      expect(await lastUsed(1)).toEqual(first);
      expect(await lastUsed(2)).toBeNull();
    } finally {
      recordUse.mockRestore();
    }

    await signInAs(owner.user);
    await regenerateApiKey({ appId: tracked.id, slot: 1 });
    expect(await lastUsed(1)).toBeNull();
  });
});

describe('failed-authentication rate limit', () => {
  it('answers 429 with Retry-After after 20 failures a minute from one address, and spares others', async () => {
    const proxied = await startRuntime({ RUNTIME_TRUST_PROXY: 'true' });
    try {
      const attacker = { 'X-Forwarded-For': '198.51.100.1' };
      for (let i = 0; i < 20; i++) expect((await sql(proxied.url, generateApiKey(), 'SELECT 1', attacker)).status).toBe(401);
      const blocked = await sql(proxied.url, generateApiKey(), 'SELECT 1', attacker);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(Number(blocked.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      const other = await sql(proxied.url, keys[1], 'SELECT 1 AS one', { 'X-Forwarded-For': '198.51.100.2' });
      expect(other.status).toBe(200);
    } finally {
      await proxied.stop();
    }
  });

  it('keeps answering a current key from a blocked address: only failures get 429', async () => {
    // During a rotation, clients still sending the replaced key share an address (a NAT, a
    // cluster's egress) with those that moved on; the moved ones must keep working.
    const proxied = await startRuntime({ RUNTIME_TRUST_PROXY: 'true' });
    try {
      const office = { 'X-Forwarded-For': '198.51.100.7' };
      for (let i = 0; i < 25; i++) await sql(proxied.url, generateApiKey(), 'SELECT 1', office);
      const current = await sql(proxied.url, keys[1], 'SELECT 1 AS one', office);
      expect(current.status).toBe(200);
      expect(await current.json()).toEqual([{ one: 1 }]);
      const stale = await sql(proxied.url, generateApiKey(), 'SELECT 1', office);
      expect(stale.status).toBe(429);
      expect(Number(stale.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await proxied.stop();
    }
  });
});
