// The Flight door's own limits, on a real server and the runtime's engine: a client that stops
// reading, DoPut's budget, signed tickets, the SQL length, the catalog's size and the gRPC
// server's settings.
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messages, packAny, type FlightData } from '@/lib/runtime/flight/protocol';
import type { QueryEngine } from '@/lib/runtime/query-engine';
import { preparedQuery, rawClient, statementQuery } from '../support/flight-client';
import { createRuntimeEngine } from '../support/flight-engine';
import { startFlight } from '../support/flight-server';
import { currentKeys, newApp, newUser } from './fixtures';

const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: grpc.status.OK, details: '' }),
    (error: { code: number; details: string }) => ({ code: error.code, details: error.details }),
  );

async function appKeys(name: string) {
  const { user, org } = await newUser(name);
  const app = await newApp(user, org.name);
  return { app, keys: await currentKeys(app.id) };
}

type Flight = Awaited<ReturnType<typeof startFlight>>;

describe('a client that stops reading a DoGet', () => {
  let flight: Flight;
  let client: ReturnType<typeof rawClient>;
  beforeAll(async () => {
    // One query slot, so that a query held by a stalled client blocks every other of its
    // organization (both keys below are of one app).
    flight = await startFlight({
      tls: false,
      engine: (dir) => createRuntimeEngine(dir, { RUNTIME_MAX_CONCURRENT_QUERIES: '1', RUNTIME_QUERY_TIMEOUT_MS: '20000' }),
      deps: { stallTimeoutMs: 1000 },
    });
    client = rawClient(flight.port);
  });
  afterAll(async () => {
    client.close();
    await flight.stop();
  });

  it('loses its call (DEADLINE_EXCEEDED) after the stall limit, and the app’s slot is free again', async () => {
    const { keys } = await appKeys('Stella');
    const info = await client.getFlightInfo(keys[1], statementQuery("SELECT range AS i, repeat('s', 200) AS s FROM range(10000000)"));
    const stalled = client.startDoGet(keys[1], info.endpoint[0]!.ticket.ticket);
    const ended = new Promise<{ code: number; details: string }>((resolve) => {
      stalled.on('error', (error: grpc.ServiceError) => resolve({ code: error.code, details: error.details }));
      stalled.on('end', () => resolve({ code: grpc.status.OK, details: '' }));
    });
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();

    // The only slot is the stalled query's until the server gives up on its client.
    const started = Date.now();
    const next = await client.getFlightInfo(keys[2], statementQuery('SELECT 42 AS answer'));
    const answer = await client.doGet(keys[2], next.endpoint[0]!.ticket.ticket);
    expect(answer.length).toBeGreaterThan(0);
    expect(Date.now() - started).toBeLessThan(8000);

    // Reading again, the client gets what was already sent, then the end of its call.
    stalled.on('data', () => undefined);
    stalled.resume();
    expect(await ended).toEqual({ code: grpc.status.DEADLINE_EXCEEDED, details: 'The client took no data for 1 s; the query was stopped.' });
  });
});

/** A prepared statement of the key's app, made through `client`: its handle. */
async function prepareOn(client: ReturnType<typeof rawClient>, key: string) {
  const [created] = await client.doAction(key, 'CreatePreparedStatement', packAny(messages.createPreparedStatementRequest, { query: 'SELECT 1 AS one' }));
  return messages.createPreparedStatementResult.decode(messages.any.decode(created!.body).value).prepared_statement_handle;
}
const descriptor = (handle: Uint8Array) => ({ type: 'CMD' as const, cmd: Buffer.from(preparedQuery(handle)), path: [] });

describe('DoPut', () => {
  let flight: Flight;
  let client: ReturnType<typeof rawClient>;
  beforeAll(async () => {
    flight = await startFlight({ tls: false, deps: { putIdleMs: 500 } });
    client = rawClient(flight.port);
  });
  afterAll(async () => {
    client.close();
    await flight.stop();
  });

  it('counts app_metadata (every byte of every message) against the 1 MiB budget', async () => {
    const { keys } = await appKeys('Meta');
    const handle = await prepareOn(client, keys[1]);
    // Without the metadata the same put binds (no parameters) and succeeds.
    expect((await client.doPut(keys[1], [{ flight_descriptor: descriptor(handle) }])).length).toBe(1);
    const metadata = Buffer.alloc(600 * 1024, 1);
    const put = client.doPut(keys[1], [{ flight_descriptor: descriptor(handle), app_metadata: metadata }, { app_metadata: metadata }]);
    expect(await statusOf(put)).toEqual({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'The parameters are larger than 1 MiB.' });
  });

  it('takes at most 1,000 messages, empty ones included', async () => {
    const { keys } = await appKeys('Many');
    const handle = await prepareOn(client, keys[1]);
    const put = client.doPut(keys[1], [{ flight_descriptor: descriptor(handle) }, ...Array.from({ length: 1000 }, (): Partial<FlightData> => ({}))]);
    expect(await statusOf(put)).toEqual({ code: grpc.status.RESOURCE_EXHAUSTED, details: 'The parameters came in more than 1000 messages.' });
  });

  it('fails when the client goes quiet before ending its stream', async () => {
    const { keys } = await appKeys('Quiet');
    const handle = await prepareOn(client, keys[1]);
    const { call, results } = client.startDoPut(keys[1]);
    call.write({ flight_descriptor: descriptor(handle) });
    const started = Date.now();
    expect(await statusOf(results)).toEqual({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: 'The client sent nothing for 0.5 s; the parameters were not bound.',
    });
    expect(Date.now() - started).toBeLessThan(5000);
    call.cancel();
  });
});

describe('DoPut uploads', () => {
  let flight: Flight;
  let client: ReturnType<typeof rawClient>;
  beforeAll(async () => {
    // Small budgets so that a test reaches them: 3 uploads per key and app, 1.5 MiB in all.
    flight = await startFlight({ tls: false, deps: { putIdleMs: 10_000, uploads: { perKey: 3, perApp: 3, totalBytes: 1.5 * 1024 * 1024 } } });
    client = rawClient(flight.port);
  });
  afterAll(async () => {
    client.close();
    await flight.stop();
  });

  /** An upload that is opened and left open (the client sends `first` and nothing more). */
  const holdOpen = (key: string, first: Partial<FlightData>) => {
    const put = client.startDoPut(key);
    put.call.write(first);
    void put.results.catch(() => undefined);
    return put;
  };
  /** Tries a whole upload until it is answered as `expected` (the uploads held open are the server's to count first). */
  const untilAnswered = (key: string, data: Partial<FlightData>[], expected: number) =>
    expect.poll(async () => (await statusOf(client.doPut(key, data))).code, { timeout: 10_000 }).toBe(expected);

  it('names a prepared statement of the caller’s app in its first message, or is refused', async () => {
    const mine = await appKeys('PutMine');
    const theirs = await appKeys('PutTheirs');
    const handle = await prepareOn(client, theirs.keys[1]);
    const body = Buffer.alloc(500 * 1024, 1);
    expect(await statusOf(client.doPut(mine.keys[1], [{ flight_descriptor: descriptor(handle) }, { app_metadata: body }]))).toEqual({
      code: grpc.status.NOT_FOUND,
      details: 'Unknown prepared statement.',
    });
    expect(await statusOf(client.doPut(mine.keys[1], [{ app_metadata: body }, { flight_descriptor: descriptor(handle) }]))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'DoPut only binds parameters to a prepared statement: this runtime only reads.',
    });
  });

  it('keeps at most 3 uploads of a key open, and gives a place back when a client goes away', async () => {
    const { keys } = await appKeys('PutCount');
    const handle = await prepareOn(client, keys[1]);
    const open = [1, 2, 3].map(() => holdOpen(keys[1], { flight_descriptor: descriptor(handle) }));
    await untilAnswered(keys[1], [{ flight_descriptor: descriptor(handle) }], grpc.status.RESOURCE_EXHAUSTED);
    expect(await statusOf(client.doPut(keys[1], [{ flight_descriptor: descriptor(handle) }]))).toEqual({
      code: grpc.status.RESOURCE_EXHAUSTED,
      details: 'This key already has 3 parameter uploads (DoPut) open; finish one first.',
    });
    open[0]!.call.cancel();
    await untilAnswered(keys[1], [{ flight_descriptor: descriptor(handle) }], grpc.status.OK);
    for (const put of open) put.call.cancel();
  });

  it('holds at most its whole budget across apps and connections, and frees it when a client goes away', async () => {
    const a = await appKeys('PutBudgetA');
    const b = await appKeys('PutBudgetB');
    const [handleA, handleB] = [await prepareOn(client, a.keys[1]), await prepareOn(client, b.keys[1])];
    const big = Buffer.alloc(900 * 1024, 1);
    const other = rawClient(flight.port);
    try {
      const held = holdOpen(a.keys[1], { flight_descriptor: descriptor(handleA), app_metadata: big });
      // App B's upload, on another connection, does not fit beside app A's 900 KiB in 1.5 MiB.
      await untilAnswered(b.keys[1], [{ flight_descriptor: descriptor(handleB), app_metadata: big }], grpc.status.RESOURCE_EXHAUSTED);
      expect(await statusOf(other.doPut(b.keys[1], [{ flight_descriptor: descriptor(handleB), app_metadata: big }]))).toEqual({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: 'The runtime holds as many uploaded parameters as it may; try again shortly.',
      });
      held.call.cancel();
      await untilAnswered(b.keys[1], [{ flight_descriptor: descriptor(handleB), app_metadata: big }], grpc.status.OK);
    } finally {
      other.close();
    }
  });
});

describe('tickets', () => {
  it('a hand-made ticket (unsigned, or signed with another secret) is unknown; a real one works on another instance', async () => {
    const [a, b] = await Promise.all([startFlight({ tls: false }), startFlight({ tls: false })]);
    const clients = [rawClient(a.port), rawClient(b.port)];
    try {
      const { app, keys } = await appKeys('Forge');
      const payload = JSON.stringify({ a: app.id, s: "SELECT 'c', 's', 't' || range, 'TABLE' FROM range(100)", p: [], b: 'tables-with-schemas' });
      const unknown = { code: grpc.status.NOT_FOUND, details: 'Unknown ticket.' };
      const real = (await clients[0]!.getFlightInfo(keys[1], statementQuery('SELECT 5 AS five'))).endpoint[0]!.ticket.ticket;
      const signature = Buffer.from(real).toString().slice(0, Buffer.from(real).toString().indexOf('.'));
      for (const forged of [`spt1:${payload}`, `spt2:${payload}`, `${signature}.${payload}`, `spt2:${'A'.repeat(43)}.${payload}`]) {
        expect(await statusOf(clients[1]!.doGet(keys[1], Buffer.from(forged)))).toEqual(unknown);
      }
      // A ticket of one instance, a builtin one too, is redeemed by the other.
      expect((await clients[1]!.doGet(keys[1], real)).length).toBeGreaterThan(1);
      const tables = await clients[0]!.getFlightInfo(keys[1], packAny(messages.commandGetTables, { table_types: [], include_schema: true }));
      expect((await clients[1]!.doGet(keys[1], tables.endpoint[0]!.ticket.ticket)).length).toBeGreaterThan(1);
    } finally {
      for (const c of clients) c.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe('SQL and catalog sizes', () => {
  let flight: Flight;
  let client: ReturnType<typeof rawClient>;
  let engineCalls = 0;
  beforeAll(async () => {
    flight = await startFlight({
      tls: false,
      deps: { maxCatalogRows: 0 },
      engine: (dir) => {
        const engine = createRuntimeEngine(dir);
        const counted: QueryEngine & { close(): Promise<void> } = {
          ...engine,
          answer: (...args) => ((engineCalls += 1), engine.answer(...args)),
          arrow: (...args) => ((engineCalls += 1), engine.arrow(...args)),
          describe: (...args) => ((engineCalls += 1), engine.describe(...args)),
        };
        return counted;
      },
    });
    client = rawClient(flight.port);
  });
  afterAll(async () => {
    client.close();
    await flight.stop();
  });

  it('SQL over 64 KiB is refused wherever Flight takes SQL, before the engine sees it', async () => {
    const { keys } = await appKeys('Long');
    const long = `SELECT 1 -- ${'x'.repeat(64 * 1024)}`;
    const tooLong = { code: grpc.status.INVALID_ARGUMENT, details: 'The query is longer than 65536 bytes.' };
    const before = engineCalls;
    expect(await statusOf(client.getFlightInfo(keys[1], Buffer.from(long)))).toEqual(tooLong);
    expect(await statusOf(client.getFlightInfo(keys[1], statementQuery(long)))).toEqual(tooLong);
    expect(await statusOf(client.getSchema(keys[1], statementQuery(long)))).toEqual(tooLong);
    expect(await statusOf(client.doAction(keys[1], 'CreatePreparedStatement', packAny(messages.createPreparedStatementRequest, { query: long })))).toEqual(
      tooLong,
    );
    expect(engineCalls).toBe(before);
    // Just under the limit is fine.
    const fits = `SELECT 1 AS one -- ${'x'.repeat(64 * 1024 - 100)}`;
    expect((await client.getFlightInfo(keys[1], statementQuery(fits))).endpoint).toHaveLength(1);
  });

  it('GetTables with schemas refuses a catalog longer than its row cap instead of collecting it', async () => {
    const { keys } = await appKeys('Cat');
    const info = await client.getFlightInfo(keys[1], packAny(messages.commandGetTables, { table_types: [], include_schema: true }));
    expect(await statusOf(client.doGet(keys[1], info.endpoint[0]!.ticket.ticket))).toEqual({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'The catalog lists more than 0 tables; narrow it with a schema or table name pattern.',
    });
  });

  it('the server announces at most 100 concurrent calls per connection', async () => {
    const session = http2.connect(`http://127.0.0.1:${flight.port}`);
    try {
      const settings = await new Promise<http2.Settings>((resolve, reject) => {
        session.once('remoteSettings', resolve);
        session.once('error', reject);
      });
      expect(settings.maxConcurrentStreams).toBe(100);
    } finally {
      session.close();
    }
  });
});
