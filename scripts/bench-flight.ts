// Flight throughput: rows/s and MB/s for 100k- and 1M-row results through the Flight server (a
// plain gRPC client on loopback, every message decoded by Arrow's reader, as clients do) against
// the physical limit: the same process merely reading the result's chunks out of DuckDB.
// Run: node --import tsx scripts/bench-flight.ts. Not a test: nothing here passes or fails.
// The engine is the runtime's own (sandbox, limits), as in production.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { createFlightServer } from '../lib/runtime/flight';
import { FlightServiceClient, messages, packAny, type FlightData, type FlightInfo } from '../lib/runtime/flight/protocol';
import { AppDatabases } from '../lib/runtime/app-databases';
import { runtimeConfig } from '../lib/runtime/config';
import { DuckDBQueryEngine } from '../lib/runtime/engine';
import * as grpc from '@grpc/grpc-js';

const KEY = 'bench-key';
const query = (rows: number) =>
  `SELECT range AS id, range::DOUBLE / 3 AS x, 'name-' || range AS name, TIMESTAMP '2024-01-01' + to_seconds(range) AS at, range % 7 = 0 AS flag FROM range(${rows})`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-flight-'));
const config = runtimeConfig({ RUNTIME_DATA_DIR: dir });
const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps });
const engine = new DuckDBQueryEngine(databases, config);
const server = createFlightServer({
  authenticate: async (presented) => (presented === KEY ? { id: 'bench', appId: 1, digest: '' } : null),
  limiter: { blocked: () => false, recordFailure: () => undefined },
  engine,
  tls: null,
});
const port = await server.start(0, '127.0.0.1');
type Raw = grpc.Client & Record<'GetFlightInfo' | 'DoGet', (...args: unknown[]) => grpc.ClientReadableStream<FlightData>>;
const client = new FlightServiceClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {}) as unknown as Raw;
const metadata = new grpc.Metadata();
metadata.set('authorization', `Bearer ${KEY}`);

async function viaFlight(sql: string): Promise<{ rows: number; bytes: number }> {
  const info = await new Promise<FlightInfo>((resolve, reject) =>
    client.GetFlightInfo({ type: 'CMD', cmd: Buffer.from(packAny(messages.commandStatementQuery, { query: sql })) }, metadata, (error: Error | null, value: FlightInfo) =>
      error ? reject(error) : resolve(value),
    ),
  );
  const call = client.DoGet({ ticket: info.endpoint[0]!.ticket.ticket }, metadata);
  let schema: Buffer | null = null;
  let rows = 0;
  let bytes = 0;
  for await (const data of call as AsyncIterable<FlightData>) {
    const prefix = Buffer.alloc(8);
    prefix.writeUInt32LE(0xffffffff, 0);
    prefix.writeUInt32LE(data.data_header.length, 4);
    const message = Buffer.concat([prefix, data.data_header, data.data_body]);
    bytes += data.data_header.length + data.data_body.length;
    if (!schema) schema = message;
    else rows += tableFromIPC([schema, message]).numRows;
  }
  return { rows, bytes };
}

async function bareDuckDB(sql: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const result = await connection.stream(sql);
  let rows = 0;
  for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
    for (let c = 0; c < chunk.columnCount; c++) chunk.getColumnVector(c);
    rows += chunk.rowCount;
  }
  connection.closeSync();
  instance.closeSync();
  return rows;
}

async function best<T>(times: number, run: () => Promise<T>): Promise<{ ms: number; value: T }> {
  let fastest = Infinity;
  let value!: T;
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    value = await run();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return { ms: fastest, value };
}

const lines = ['| rows | path | time | rows/s | MB/s (Arrow) |', '| ---: | --- | ---: | ---: | ---: |'];
for (const rows of [100_000, 1_000_000]) {
  const sql = query(rows);
  await viaFlight(query(1000)); // warm up
  const flight = await best(3, () => viaFlight(sql));
  const bare = await best(3, () => bareDuckDB(sql));
  const mb = flight.value.bytes / 1e6;
  const row = (label: string, ms: number) =>
    `| ${rows.toLocaleString('en')} | ${label} | ${ms.toFixed(0)} ms | ${Math.round((rows / ms) * 1000).toLocaleString('en')} | ${((mb / ms) * 1000).toFixed(0)} |`;
  lines.push(row('Flight (DoGet, decoded)', flight.ms), row('DuckDB read alone', bare.ms));
}
console.log(lines.join('\n'));

client.close();
await server.close();
await databases.close();
fs.rmSync(dir, { recursive: true, force: true });
