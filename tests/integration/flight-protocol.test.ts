// The Flight wire, call by call, with a bare gRPC client: authentication on every call, tickets
// and prepared statements bound to their app, message sizes, cancellation, and the limiter.
import * as grpc from '@grpc/grpc-js';
import { tableFromArrays, tableFromIPC, tableToIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_MESSAGE_BYTES, splitIpcStream } from '@/lib/runtime/flight/arrow';
import { messages, packAny, type FlightData } from '@/lib/runtime/flight/protocol';
import type { QueryEngine } from '@/lib/runtime/query-engine';
import { preparedQuery, rawClient, statementQuery } from '../support/flight-client';
import { createRuntimeEngine } from '../support/flight-engine';
import { startFlight } from '../support/flight-server';
import { currentKeys, newApp, newUser, regenerateAs } from './fixtures';

/** The rows of a DoGet answer, read back with Arrow's own IPC reader. */
function tableOf(data: FlightData[]): Table {
  const parts = data.flatMap((message) => {
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32LE(0xffffffff, 0);
    prefix.writeUInt32LE(message.data_header.length, 4);
    return [prefix, Buffer.from(message.data_header), Buffer.from(message.data_body)];
  });
  return tableFromIPC(Buffer.concat([...parts, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]));
}

const schemaOf = (schema: Uint8Array) => tableFromIPC(Buffer.concat([schema, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])).schema;
const rowsOf = (table: Table) => table.toArray().map((row) => row.toJSON() as Record<string, unknown>);
const statusOf = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ code: grpc.status.OK, details: '' }),
    (error: { code: number; details: string }) => ({ code: error.code, details: error.details }),
  );

async function appKeys(name: string) {
  const { user, org } = await newUser(name);
  const app = await newApp(user, org.name);
  return { user, org, app, keys: await currentKeys(app.id) };
}

describe('one Flight server', () => {
  let flight: Awaited<ReturnType<typeof startFlight>>;
  let client: ReturnType<typeof rawClient>;
  const streams: { aborted: boolean; closed: boolean; rows: number }[] = [];
  beforeAll(async () => {
    // The test engine, watched: each stream records whether the client's going away reached it.
    flight = await startFlight({
      tls: false,
      engine: (dir) => {
        const engine = createRuntimeEngine(dir);
        const watched: QueryEngine & { close(): Promise<void> } = {
          ...engine,
          async stream(target, sql, parameters, options) {
            const stream = await engine.stream(target, sql, parameters, options);
            const record = { aborted: false, closed: false, rows: 0 };
            streams.push(record);
            options?.signal?.addEventListener('abort', () => (record.aborted = true));
            async function* counted() {
              for await (const chunk of stream.chunks) {
                record.rows += chunk.rowCount;
                yield chunk;
              }
            }
            return { ...stream, chunks: counted(), close: () => ((record.closed = true), stream.close()) };
          },
        };
        return watched;
      },
    });
    client = rawClient(flight.port);
  });
  afterAll(async () => {
    client.close();
    await flight.stop();
  });

  it('Handshake takes the key as BasicAuth password or in a Basic header and answers with a Bearer token that works', async () => {
    const { keys } = await appKeys('Hana');
    const viaPayload = await client.handshake(Buffer.from(messages.basicAuth.encode({ username: '', password: keys[1] })));
    expect(viaPayload.token).toBe(`Bearer ${keys[1]}`);
    expect(viaPayload.responses).toHaveLength(1);

    const header = new grpc.Metadata();
    header.set('authorization', `Basic ${Buffer.from(`:${keys[2]}`).toString('base64')}`);
    const viaHeader = await client.handshake(null, header);
    expect(viaHeader.token).toBe(`Bearer ${keys[2]}`);

    const token = viaPayload.token!.slice('Bearer '.length);
    const info = await client.getFlightInfo(token, statementQuery('SELECT 7 AS seven'));
    expect(rowsOf(tableOf(await client.doGet(token, info.endpoint[0]!.ticket.ticket)))).toEqual([{ seven: 7 }]);
  });

  it('refuses every missing, malformed or unknown credential with UNAUTHENTICATED "Unauthorized", the same each time', async () => {
    const { keys } = await appKeys('Ivo');
    const unknown = `${keys[1].slice(0, -6)}AAAAAA`;
    const badHeader = new grpc.Metadata();
    badHeader.set('authorization', `Basic ${Buffer.from(`:${unknown}`).toString('base64')}`);
    const basicOnQuery = new grpc.Metadata();
    basicOnQuery.set('authorization', `Basic ${Buffer.from(`:${keys[1]}`).toString('base64')}`);
    const refused = await Promise.all([
      statusOf(client.handshake(Buffer.from(messages.basicAuth.encode({ username: '', password: unknown })))),
      statusOf(client.handshake(null, badHeader)),
      statusOf(client.handshake(null)),
      statusOf(client.getFlightInfo(null, statementQuery('SELECT 1'))),
      statusOf(client.getFlightInfo('not-a-key', statementQuery('SELECT 1'))),
      statusOf(client.getFlightInfo(unknown, statementQuery('SELECT 1'))),
      statusOf(client.doAction(unknown, 'CreatePreparedStatement', packAny(messages.createPreparedStatementRequest, { query: 'SELECT 1' }))),
    ]);
    for (const status of refused) expect(status).toEqual({ code: grpc.status.UNAUTHENTICATED, details: 'Unauthorized' });
    expect(flight.logs.join('\n')).not.toContain(keys[1].slice(8));
  });

  it('answers CommandStatementQuery with the result schema and a ticket that DoGet redeems', async () => {
    const { keys } = await appKeys('Stan');
    const sql = 'SELECT trip_id, fare_amount, payment_type FROM taxi_trips WHERE trip_id <= 3 ORDER BY trip_id';
    const info = await client.getFlightInfo(keys[1], statementQuery(sql));
    expect(schemaOf(info.schema).fields.map((field) => `${field.name}:${String(field.type)}`)).toEqual([
      'trip_id:Int32',
      'fare_amount:Float64',
      'payment_type:Utf8',
    ]);
    expect(info.endpoint).toHaveLength(1);
    const rows = rowsOf(tableOf(await client.doGet(keys[1], info.endpoint[0]!.ticket.ticket)));
    expect(rows.map((row) => row.trip_id)).toEqual([1, 2, 3]);
    // GetSchema answers the same schema, and needs a current key too.
    expect(Buffer.from((await client.getSchema(keys[1], statementQuery(sql))).schema)).toEqual(Buffer.from(info.schema));
    expect((await statusOf(client.getSchema(null, statementQuery(sql)))).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('answers GetSqlInfo (what JDBC asks on connecting): a read-only SQL server', async () => {
    const { keys } = await appKeys('Sid');
    const info = await client.getFlightInfo(keys[1], packAny(messages.commandGetSqlInfo, { info: [0, 3, 504] }));
    const table = tableOf(await client.doGet(keys[1], info.endpoint[0]!.ticket.ticket));
    expect(schemaOf(info.schema).fields.map((field) => field.name)).toEqual(['info_name', 'value']);
    expect(Array.from({ length: table.numRows }, (_, i) => [table.getChild('info_name')!.get(i), table.getChild('value')!.get(i)])).toEqual([
      [0, 'Spice Portal runtime'],
      [3, true],
      [504, '"'],
    ]);
  });

  it('a ticket is bound to its app, and a regenerated key cannot redeem a ticket it obtained before', async () => {
    const a = await appKeys('Tess');
    const b = await appKeys('Theo');
    const info = await client.getFlightInfo(a.keys[1], statementQuery('SELECT COUNT(*) AS n FROM taxi_trips'));
    const ticket = info.endpoint[0]!.ticket.ticket;

    const foreign = await statusOf(client.doGet(b.keys[1], ticket));
    const garbage = await statusOf(client.doGet(a.keys[1], Buffer.from('no such ticket')));
    expect(foreign).toEqual({ code: grpc.status.NOT_FOUND, details: 'Unknown ticket.' });
    expect(garbage).toEqual(foreign);

    await regenerateAs(a.user, a.app.id, [1]);
    expect(await statusOf(client.doGet(a.keys[1], ticket))).toEqual({ code: grpc.status.UNAUTHENTICATED, details: 'Unauthorized' });
    expect(rowsOf(tableOf(await client.doGet(a.keys[2], ticket))).map((row) => Number(row.n))).toEqual([10_000]);
  });

  it('prepared statements: create, bind named parameters with DoPut, run, close; handles are bound to their app', async () => {
    const a = await appKeys('Pia');
    const b = await appKeys('Pete');
    const sql = 'SELECT COUNT(*) AS n FROM taxi_trips WHERE passenger_count = $count AND payment_type = $kind';
    const [created] = await client.doAction(a.keys[1], 'CreatePreparedStatement', packAny(messages.createPreparedStatementRequest, { query: sql }));
    const any = messages.any.decode(created!.body);
    expect(any.type_url).toBe('type.googleapis.com/arrow.flight.protocol.sql.ActionCreatePreparedStatementResult');
    const result = messages.createPreparedStatementResult.decode(any.value);
    expect(schemaOf(result.dataset_schema).fields.map((field) => field.name)).toEqual(['n']);
    expect(
      schemaOf(result.parameter_schema)
        .fields.map((field) => field.name)
        .sort(),
    ).toEqual(['$count', '$kind']);
    const handle = result.prepared_statement_handle;

    // Without parameters bound, the statement cannot run.
    expect((await statusOf(client.getFlightInfo(a.keys[1], preparedQuery(handle)))).code).toBe(grpc.status.INVALID_ARGUMENT);

    const ipc = tableToIPC(tableFromArrays({ kind: ['cash'], count: Int32Array.from([2]) }), 'stream');
    // Schema, the dictionary of the string column, then the row; the descriptor rides on the first.
    const [first, ...rest] = splitIpc(ipc);
    const put = await client.doPut(a.keys[1], [{ flight_descriptor: { type: 'CMD', cmd: Buffer.from(preparedQuery(handle)), path: [] }, ...first! }, ...rest]);
    expect(Buffer.from(messages.doPutPreparedStatementResult.decode(put[0]!.app_metadata).prepared_statement_handle)).toEqual(Buffer.from(handle));

    const info = await client.getFlightInfo(a.keys[1], preparedQuery(handle));
    const n = Number(rowsOf(tableOf(await client.doGet(a.keys[1], info.endpoint[0]!.ticket.ticket)))[0]!.n);
    const direct = await client.getFlightInfo(
      a.keys[1],
      statementQuery("SELECT COUNT(*) AS n FROM taxi_trips WHERE passenger_count = 2 AND payment_type = 'cash'"),
    );
    expect(n).toBe(Number(rowsOf(tableOf(await client.doGet(a.keys[1], direct.endpoint[0]!.ticket.ticket)))[0]!.n));
    expect(n).toBeGreaterThan(0);

    const foreign = await statusOf(client.getFlightInfo(b.keys[1], preparedQuery(handle)));
    const unknown = await statusOf(client.getFlightInfo(a.keys[1], preparedQuery(Buffer.alloc(16, 7))));
    expect(foreign).toEqual({ code: grpc.status.NOT_FOUND, details: 'Unknown prepared statement.' });
    expect(unknown).toEqual(foreign);
    expect(
      await statusOf(
        client.doAction(b.keys[1], 'ClosePreparedStatement', packAny(messages.closePreparedStatementRequest, { prepared_statement_handle: handle })),
      ),
    ).toEqual(foreign);

    await client.doAction(a.keys[1], 'ClosePreparedStatement', packAny(messages.closePreparedStatementRequest, { prepared_statement_handle: handle }));
    expect(await statusOf(client.getFlightInfo(a.keys[1], preparedQuery(handle)))).toEqual(foreign);
  });

  it('binds a date column of the parameter batch as a timestamp', async () => {
    const { keys } = await appKeys('Dot');
    const [created] = await client.doAction(
      keys[1],
      'CreatePreparedStatement',
      packAny(messages.createPreparedStatementRequest, { query: 'SELECT COUNT(*) AS n FROM taxi_trips WHERE pickup_datetime < $1' }),
    );
    const handle = messages.createPreparedStatementResult.decode(messages.any.decode(created!.body).value).prepared_statement_handle;
    const [first, ...rest] = splitIpc(tableToIPC(tableFromArrays({ $1: [new Date('2024-01-02T00:00:00Z')] }), 'stream'));
    await client.doPut(keys[1], [{ flight_descriptor: { type: 'CMD', cmd: Buffer.from(preparedQuery(handle)), path: [] }, ...first! }, ...rest]);
    const info = await client.getFlightInfo(keys[1], preparedQuery(handle));
    const bound = Number(rowsOf(tableOf(await client.doGet(keys[1], info.endpoint[0]!.ticket.ticket)))[0]!.n);
    const direct = await client.getFlightInfo(
      keys[1],
      statementQuery("SELECT COUNT(*) AS n FROM taxi_trips WHERE pickup_datetime < TIMESTAMP '2024-01-02 00:00:00'"),
    );
    expect(bound).toBe(Number(rowsOf(tableOf(await client.doGet(keys[1], direct.endpoint[0]!.ticket.ticket)))[0]!.n));
    expect(bound).toBeGreaterThan(0);
  });

  it('sends big results in messages under 4 MiB each', async () => {
    const { keys } = await appKeys('Max');
    // 3,000 rows of 10,000 characters (the engine's cap on one generated value): 30 MB.
    const info = await client.getFlightInfo(keys[1], statementQuery("SELECT range AS i, repeat('x', 10000) AS s FROM range(3000)"));
    const data = await client.doGet(keys[1], info.endpoint[0]!.ticket.ticket);
    expect(data.length).toBeGreaterThan(8);
    for (const message of data) expect(message.data_header.length + message.data_body.length).toBeLessThan(MAX_MESSAGE_BYTES - 1024);
    const table = tableOf(data);
    expect(table.numRows).toBe(3000);
    expect(String(table.getChild('s')!.get(2999)).length).toBe(10_000);
  });

  it('a client that cancels a DoGet stops its query', async () => {
    const { keys } = await appKeys('Cora');
    const info = await client.getFlightInfo(keys[1], statementQuery("SELECT range AS i, repeat('y', 200) AS s FROM range(100000000)"));
    const before = streams.length;
    const call = client.startDoGet(keys[1], info.endpoint[0]!.ticket.ticket);
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.on('error', () => undefined);
    call.cancel();
    const deadline = Date.now() + 5000;
    while (!streams[before]?.closed && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(streams[before]).toMatchObject({ aborted: true, closed: true });
  });

  it('reads from DuckDB only as fast as the client takes the data (backpressure)', async () => {
    const { keys } = await appKeys('Bea');
    // 10 million rows of about 210 bytes: 2 GB if the server ran ahead of the client.
    const info = await client.getFlightInfo(keys[1], statementQuery("SELECT range AS i, repeat('b', 200) AS s FROM range(10000000)"));
    const before = streams.length;
    const call = client.startDoGet(keys[1], info.endpoint[0]!.ticket.ticket);
    call.on('error', () => undefined);
    await new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.pause();
    // Wait for the server to stall (transport buffers full), then check that it stays stalled.
    let read = -1;
    for (const giveUp = Date.now() + 15_000; streams[before]!.rows !== read && Date.now() < giveUp;) {
      read = streams[before]!.rows;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(streams[before]!.rows).toBe(read);
    expect(read * 210).toBeLessThan(128 * 1024 * 1024);
    call.cancel();
  });

  it('answers SQL errors with INVALID_ARGUMENT and refuses anything but reads', async () => {
    const { keys } = await appKeys('Sol');
    const missing = await statusOf(client.getFlightInfo(keys[1], statementQuery('SELECT * FROM nowhere')));
    expect(missing.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(missing.details).toContain('nowhere');
    expect((await statusOf(client.getFlightInfo(keys[1], statementQuery('DROP TABLE taxi_trips')))).code).toBe(grpc.status.INVALID_ARGUMENT);
    const update = messages.any.encode({ type_url: 'type.googleapis.com/arrow.flight.protocol.sql.CommandStatementUpdate', value: new Uint8Array() });
    expect((await statusOf(client.getFlightInfo(keys[1], update))).code).toBe(grpc.status.UNIMPLEMENTED);
  });
});

describe('failed authentications from one address', () => {
  it('are limited (RESOURCE_EXHAUSTED over the limit) while a valid key from the same address keeps working', async () => {
    const flight = await startFlight({ tls: false, failuresPerMinute: 3 });
    const client = rawClient(flight.port);
    try {
      const { keys } = await appKeys('Nat');
      const bad = `${keys[1].slice(0, -6)}AAAAAA`;
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await statusOf(client.getFlightInfo(bad, statementQuery('SELECT 1')))).code);
      expect(codes).toEqual([16, 16, 16, 8, 8]);
      const info = await client.getFlightInfo(keys[1], statementQuery('SELECT 1 AS one'));
      expect(rowsOf(tableOf(await client.doGet(keys[1], info.endpoint[0]!.ticket.ticket)))).toEqual([{ one: 1 }]);
    } finally {
      client.close();
      await flight.stop();
    }
  });
});

/** An Arrow IPC stream's messages as FlightData header/body pairs. */
function splitIpc(bytes: Uint8Array): { data_header: Uint8Array; data_body: Uint8Array }[] {
  return splitIpcStream(bytes).map((message) => ({ data_header: message.header, data_body: message.body }));
}

describe('a query past the time limit', () => {
  it('answers DEADLINE_EXCEEDED with the same message as HTTP', async () => {
    const flight = await startFlight({ tls: false, engine: (dir) => createRuntimeEngine(dir, { RUNTIME_QUERY_TIMEOUT_MS: '300' }) });
    const client = rawClient(flight.port);
    try {
      const { keys } = await appKeys('Tim');
      const info = await client.getFlightInfo(keys[1], statementQuery('SELECT SUM(a.range * b.range) AS s FROM range(200000) a, range(200000) b'));
      const started = Date.now();
      expect(await statusOf(client.doGet(keys[1], info.endpoint[0]!.ticket.ticket))).toEqual({
        code: grpc.status.DEADLINE_EXCEEDED,
        details: 'The query ran longer than 0.3 s (RUNTIME_QUERY_TIMEOUT_MS) and was stopped.',
      });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      client.close();
      await flight.stop();
    }
  });
});

describe('two runtime instances on one database', () => {
  it('a regenerated key is refused by both instances’ Flight endpoints on the next call', async () => {
    const [a, b] = await Promise.all([startFlight({ tls: false }), startFlight({ tls: false })]);
    const clients = [rawClient(a.port), rawClient(b.port)];
    try {
      const { user, app, keys } = await appKeys('Duo');
      for (const c of clients) expect((await c.getFlightInfo(keys[1], statementQuery('SELECT 1'))).endpoint).toHaveLength(1);
      await regenerateAs(user, app.id, [1]);
      for (const c of clients) {
        expect(await statusOf(c.getFlightInfo(keys[1], statementQuery('SELECT 1')))).toEqual({ code: grpc.status.UNAUTHENTICATED, details: 'Unauthorized' });
        expect((await c.getFlightInfo(keys[2], statementQuery('SELECT 1'))).endpoint).toHaveLength(1);
      }
    } finally {
      for (const c of clients) c.close();
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});
