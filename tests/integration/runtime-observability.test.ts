// What an operator sees of the runtime: GET /metrics (parsed with a real Prometheus text parser)
// moving as the requests on both doors did, the request id kept or made and sent back on both
// doors and found in the log line of its request, and logs that hold no key after every door
// and every kind of refusal.
import * as grpc from '@grpc/grpc-js';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '@/lib/shared/keys/format';
import { flightServiceDefinition } from '@/lib/runtime/flight/protocol';
import { rawClient, statementQuery } from '../support/flight-client';
import { currentKeys, newApp, newUser } from './fixtures';
import { startRuntimeProcess, type RuntimeProcess } from './runtime-process';
import { sql } from './runtime-helpers';

type Families = ReturnType<typeof parsePrometheusTextFormat> & { series: ReturnType<typeof parsePrometheusTextFormat> };

/**
 * GET /metrics, parsed. The parser keeps only unlabelled histograms whole (it flattens labelled
 * ones), so the text is parsed twice: as it is (every family and its type), and without the
 * histograms' TYPE lines, which leaves each histogram's _count, _sum and _bucket series with
 * their labels.
 */
async function scrape(runtime: RuntimeProcess): Promise<Families> {
  const res = await fetch(runtime.metricsUrl);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  const text = await res.text();
  const families = parsePrometheusTextFormat(text) as Families;
  families.series = parsePrometheusTextFormat(text.replace(/^# (TYPE|HELP) \S+ histogram$/gm, '').replace(/^# HELP (\S+_seconds) .*$/gm, ''));
  return families;
}

/** The sum of the samples of a counter or gauge with these labels (0 when there is none). */
function value(families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string> = {}): number {
  // Untyped series of one name may come as several families (one per run of lines).
  const samples = families.filter((f) => f.name === name).flatMap((f) => f.metrics);
  return samples.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((n, m) => n + Number(m.value ?? 0), 0);
}

/** The observations of a histogram's series with these labels. */
function count(families: Families, name: string, labels: Record<string, string>): number {
  expect(families.find((f) => f.name === name)?.type).toBe('HISTOGRAM');
  return value(families.series, `${name}_count`, labels);
}

describe('the runtime, watched', () => {
  let runtime: RuntimeProcess;
  let flightPort: number;
  let keys: { 1: string; 2: string };
  let app: { id: number; orgId: string };
  beforeAll(async () => {
    // The failure limiter at 3 a minute, and the HTTP client address from X-Forwarded-For, so
    // that one test's refusals can reach the limit from an address of their own.
    runtime = await startRuntimeProcess({ FLIGHT_TLS: 'off', RUNTIME_AUTH_FAILURES_PER_MINUTE: '3', RUNTIME_TRUST_PROXY: 'true' });
    flightPort = Number(/Arrow Flight listening on grpc:\/\/[^:]+:(\d+)/.exec(runtime.output())![1]);
    const { user, org } = await newUser('Watch');
    app = await newApp(user, org.name);
    keys = await currentKeys(app.id);
  }, 60_000);
  afterAll(() => runtime?.stop());

  it('counts requests by door and status, key checks, refusals, the unknown-key memory and queries, as they happened', async () => {
    const before = await scrape(runtime);
    const unknown = generateApiKey();
    expect((await sql(runtime.url, keys[1], 'SELECT 1 AS one')).status).toBe(200);
    expect((await sql(runtime.url, keys[2], 'SELECT 2 AS two')).status).toBe(200);
    const prober = { 'X-Forwarded-For': '203.0.113.7' };
    for (let i = 0; i < 3; i++) expect((await sql(runtime.url, unknown, 'SELECT 1', prober)).status).toBe(401);
    const client = rawClient(flightPort);
    try {
      const info = await client.getFlightInfo(keys[1], statementQuery('SELECT 42 AS answer'));
      await client.doGet(keys[1], info.endpoint[0]!.ticket.ticket);
      await expect(client.getFlightInfo(unknown, statementQuery('SELECT 1'))).rejects.toMatchObject({ code: grpc.status.UNAUTHENTICATED });
    } finally {
      client.close();
    }
    // The limiter allows 3 failures a minute from an address: the prober's 4th is refused as rate limited.
    expect((await sql(runtime.url, unknown, 'SELECT 1', prober)).status).toBe(429);

    const after = await scrape(runtime);
    const delta = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);
    expect(delta('runtime_requests_total', { door: 'http', route: '/v1/sql', status: '200' })).toBe(2);
    expect(delta('runtime_requests_total', { door: 'http', route: '/v1/sql', status: '401' })).toBe(3);
    expect(delta('runtime_requests_total', { door: 'http', route: '/v1/sql', status: '429' })).toBe(1);
    expect(delta('runtime_requests_total', { door: 'flight', route: 'GetFlightInfo', status: 'OK' })).toBe(1);
    expect(delta('runtime_requests_total', { door: 'flight', route: 'DoGet', status: 'OK' })).toBe(1);
    expect(delta('runtime_requests_total', { door: 'flight', route: 'GetFlightInfo', status: 'UNAUTHENTICATED' })).toBe(1);
    expect(delta('runtime_refusals_total', { door: 'http', reason: 'unauthorized' })).toBe(3);
    expect(delta('runtime_refusals_total', { door: 'flight', reason: 'unauthorized' })).toBe(1);
    expect(delta('runtime_refusals_total', { door: 'http', reason: 'rate_limited' })).toBe(1);
    // The unknown key: looked up once, then answered from memory on both doors (3 HTTP, 1 Flight, and the 429's check).
    expect(delta('runtime_unknown_key_cache_total', { result: 'miss' })).toBe(1);
    expect(delta('runtime_unknown_key_cache_total', { result: 'hit' })).toBe(4);
    const checks = (labels: Record<string, string>) =>
      count(after, 'runtime_key_check_duration_seconds', labels) - count(before, 'runtime_key_check_duration_seconds', labels);
    expect(checks({ door: 'http', outcome: 'valid' })).toBe(2);
    expect(checks({ door: 'http', outcome: 'unknown' })).toBe(1);
    expect(checks({ door: 'http', outcome: 'unknown_cached' })).toBe(3);
    expect(checks({ door: 'flight', outcome: 'valid' })).toBe(2);
    expect(checks({ door: 'flight', outcome: 'unknown_cached' })).toBe(1);
    // Queries: two HTTP answers, the Flight plan (describe) and its DoGet, each started at once.
    const queries = (name: string, outcome: string) => count(after, name, { outcome }) - count(before, name, { outcome });
    expect(queries('runtime_query_duration_seconds', 'ok')).toBe(4);
    expect(queries('runtime_query_queue_wait_seconds', 'started')).toBe(4);

    // The state gauges: workers' memory, the serving process's, the event loop's lag.
    for (const worker of ['0', '1']) expect(value(after, 'runtime_worker_resident_memory_bytes', { worker })).toBeGreaterThan(10 * 1024 ** 2);
    expect(value(after, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 ** 2);
    expect(after.find((f) => f.name === 'nodejs_eventloop_lag_seconds')).toBeDefined();
    expect(value(after, 'runtime_flight_streams_open')).toBe(0);
    expect(after.find((f) => f.name === 'runtime_worker_restarts_total')?.type).toBe('COUNTER');
    // Nothing of a key in the metrics: ids and fixed words only.
    const text = await (await fetch(runtime.metricsUrl)).text();
    for (const secret of [keys[1], keys[2], unknown]) expect(text).not.toContain(secret.slice(4, 20));
  });

  it("shows each organization's running and queued queries by its id while they wait", async () => {
    const heavy = 'SELECT sum(a.range * b.range) FROM range(1000000) a, range(1000000) b';
    const before = await scrape(runtime);
    const aborts = Array.from({ length: 9 }, () => new AbortController());
    const pending = aborts.map((abort) =>
      fetch(`${runtime.url}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': keys[1] }, body: heavy, signal: abort.signal }).catch(() => null),
    );
    try {
      // 6 slots: 6 run, 3 wait.
      await expect
        .poll(
          async () => {
            const now = await scrape(runtime);
            return [value(now, 'runtime_org_queries_running', { org_id: app.orgId }), value(now, 'runtime_org_queries_queued', { org_id: app.orgId })];
          },
          { timeout: 15_000 },
        )
        .toEqual([6, 3]);
    } finally {
      for (const abort of aborts) abort.abort();
      await Promise.all(pending);
    }
    await expect.poll(async () => value(await scrape(runtime), 'runtime_org_queries_running', { org_id: app.orgId }), { timeout: 15_000 }).toBe(0);
    // Each of the 9 waited (and started, or left its queue when its client went), and the 6 that ran were cancelled.
    const now = await scrape(runtime);
    const delta = (name: string, outcome: string) => count(now, name, { outcome }) - count(before, name, { outcome });
    expect(delta('runtime_query_queue_wait_seconds', 'started') + delta('runtime_query_queue_wait_seconds', 'cancelled')).toBe(9);
    expect(delta('runtime_query_duration_seconds', 'cancelled')).toBeGreaterThanOrEqual(6);
  });

  it('keeps a short printable X-Request-Id, replaces any other, and sends it back on both doors and in the log line', async () => {
    const kept = await sql(runtime.url, keys[1], 'SELECT 1', { 'X-Request-Id': 'trace-abc.123' });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    const replaced = await sql(runtime.url, keys[1], 'SELECT 1', { 'X-Request-Id': `x${'y'.repeat(80)}` });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const made = await fetch(`${runtime.url}/health`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    // Flight: in the response headers of an answered call, and in the trailers of a refused one.
    const Client = grpc.makeGenericClientConstructor(flightServiceDefinition, 'FlightService');
    const client = new Client(`127.0.0.1:${flightPort}`, grpc.credentials.createInsecure()) as unknown as grpc.Client &
      Record<'GetFlightInfo', (descriptor: unknown, metadata: grpc.Metadata, callback: (error: grpc.ServiceError | null) => void) => grpc.ClientUnaryCall>;
    const call = (key: string, id: string) =>
      new Promise<{ headers?: grpc.Metadata; error: grpc.ServiceError | null }>((resolve) => {
        const metadata = new grpc.Metadata();
        metadata.set('authorization', `Bearer ${key}`);
        metadata.set('x-request-id', id);
        let headers: grpc.Metadata | undefined;
        const unary = client.GetFlightInfo({ type: 'CMD', cmd: Buffer.from(statementQuery('SELECT 1')) }, metadata, (error) => resolve({ headers, error }));
        unary.on('metadata', (m: grpc.Metadata) => (headers = m));
      });
    try {
      const ok = await call(keys[2], 'flight-ok-1');
      expect([ok.error, ok.headers?.get('x-request-id')]).toEqual([null, ['flight-ok-1']]);
      const refused = await call(generateApiKey(), 'flight-refused-1');
      expect(refused.error?.code).toBe(grpc.status.UNAUTHENTICATED);
      expect(refused.error?.metadata.get('x-request-id')).toEqual(['flight-refused-1']);
    } finally {
      client.close();
    }

    await expect.poll(() => runtime.output().includes('flight-refused-1'), { timeout: 5000 }).toBe(true);
    const lines = runtime
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const byId = (id: string) => lines.find((line) => line.requestId === id);
    expect(byId('trace-abc.123')).toMatchObject({ msg: 'request', door: 'http', route: '/v1/sql', status: 200, appId: app.id, slot: 1, name: 'runtime' });
    expect(byId('flight-ok-1')).toMatchObject({ door: 'flight', route: 'GetFlightInfo', status: 'OK', appId: app.id, slot: 2 });
    expect(byId('flight-refused-1')).toMatchObject({ door: 'flight', route: 'GetFlightInfo', status: 'UNAUTHENTICATED', error: 'unauthorized' });
    expect(byId('flight-refused-1')).not.toHaveProperty('appId');
    expect(typeof byId('trace-abc.123')?.ms).toBe('number');
  });

  it('logs no key, nor any SQL, after every door and every kind of refusal', async () => {
    const unknown = generateApiKey();
    const marker = 'SELECT 987654321 AS secret_marker';
    await sql(runtime.url, keys[1], marker);
    await sql(runtime.url, unknown, marker);
    await sql(runtime.url, 'spk_malformed', marker);
    await sql(runtime.url, keys[1], 'SELECT * FROM no_such_table_marker');
    await sql(runtime.url, keys[1], '{"sql": ', { 'Content-Type': 'application/json' });
    await fetch(`${runtime.url}/v1/sql`, { method: 'GET', headers: { 'X-API-Key': keys[2] } });
    const client = rawClient(flightPort);
    try {
      await client.handshake(null, basic(keys[2])).catch(() => null);
      await client.getFlightInfo(keys[2], statementQuery(marker)).catch(() => null);
      await client.getFlightInfo(unknown, statementQuery(marker)).catch(() => null);
      await client.getFlightInfo(keys[2], statementQuery('SELECT * FROM no_such_table_marker')).catch(() => null);
    } finally {
      client.close();
    }
    await expect
      .poll(
        () =>
          runtime
            .output()
            .split('\n')
            .filter((l) => l.includes('"door":"flight"')).length,
        { timeout: 5000 },
      )
      .toBeGreaterThan(3);
    const output = runtime.output();
    expect(output).toContain('"door":"http"');
    for (const secret of [keys[1], keys[2], unknown, 'spk_malformed']) expect(output).not.toContain(secret);
    for (const text of ['987654321', 'no_such_table_marker', process.env.KEY_DIGEST_SECRET!, process.env.KEY_ENCRYPTION_KEY!, process.env.DATABASE_URL!]) {
      expect(output).not.toContain(text);
    }
  });
});

function basic(key: string): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Basic ${Buffer.from(`:${key}`).toString('base64')}`);
  return metadata;
}
