// A Flight SQL client that nobody here wrote: @lakehouse-rs/flight-sql-client, the Rust
// arrow-flight crate's FlightSqlServiceClient behind napi. It authenticates with Handshake
// (HTTP Basic, empty username, the key as password) over plain gRPC (FLIGHT_TLS=off). Every call
// is guarded with our own timeout: a client that hangs fails the test instead of stalling it (this
// one panics in a worker thread and never settles when the handshake is refused, so a refused
// handshake is tested with our own raw client in flight-protocol.test.ts). Its query() is a
// prepared statement: CreatePreparedStatement, GetFlightInfo(CommandPreparedStatementQuery), DoGet.
import { createFlightSqlClient, type FlightSqlClient } from '@lakehouse-rs/flight-sql-client';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFlight } from '../support/flight-server';
import { currentKeys, newApp, newUser } from './fixtures';

let flight: Awaited<ReturnType<typeof startFlight>>;
beforeAll(async () => {
  flight = await startFlight({ tls: false });
});
afterAll(async () => {
  if (flight.logs.length) console.log(flight.logs.join('\n'));
  await flight.stop();
});

function within<T>(promise: Promise<T>, ms = 10_000): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms).unref())]);
}

const connect = (password: string): Promise<FlightSqlClient> =>
  within(createFlightSqlClient({ host: '127.0.0.1', port: flight.port, tls: false, username: '', password, headers: [] }));

const rows = (ipc: Buffer) =>
  tableFromIPC(ipc)
    .toArray()
    .map((row) => row.toJSON() as Record<string, unknown>);

it('handshakes with an empty username and the key as password, then queries and lists catalogs, schemas and tables', async () => {
  const { user, org } = await newUser('Rusty');
  const app = await newApp(user, org.name);
  const keys = await currentKeys(app.id);
  const client = await connect(keys[1]);

  const aggregate = rows(await within(client.query('SELECT payment_type, COUNT(*) AS trips FROM taxi_trips GROUP BY 1 ORDER BY 1')));
  expect(aggregate.map((row) => row.payment_type)).toEqual(['card', 'cash']);
  expect(aggregate.reduce((sum, row) => sum + Number(row.trips), 0)).toBe(10_000);

  const catalogs = rows(await within(client.getCatalogs()));
  expect(catalogs).toHaveLength(1);
  const schemas = rows(await within(client.getDbSchemas({ dbSchemaFilterPattern: 'ma%' })));
  expect(schemas.map((row) => row.db_schema_name)).toEqual(['main']);
  const tables = rows(await within(client.getTables({ tableNameFilterPattern: 'taxi%' })));
  expect(tables.map((row) => [row.db_schema_name, row.table_name, row.table_type])).toEqual([['main', 'taxi_trips', 'TABLE']]);
  // With include_schema (what JDBC's getColumns asks for), each table carries its columns.
  const [withSchema] = rows(await within(client.getTables({ tableNameFilterPattern: 'taxi%', includeSchema: true })));
  const columns = tableFromIPC(Buffer.concat([withSchema!.table_schema as Uint8Array, Buffer.from([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])])).schema.fields;
  expect(columns.map((field) => `${field.name}:${String(field.type)}`)).toEqual([
    'trip_id:Int32',
    'pickup_datetime:Timestamp<MICROSECOND>',
    'dropoff_datetime:Timestamp<MICROSECOND>',
    'passenger_count:Int32',
    'trip_distance:Float64',
    'fare_amount:Float64',
    'tip_amount:Float64',
    'total_amount:Float64',
    'payment_type:Utf8',
  ]);

  // The client reports every failed query as "failed to prepare statement"; the connection stays usable.
  await expect(within(client.query('SELECT * FROM missing_table'))).rejects.toThrow();
  expect(rows(await within(client.query('SELECT 42 AS answer')))).toEqual([{ answer: 42 }]);
});
