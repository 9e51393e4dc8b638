// Flight throughput (part of npm run bench): rows/s and MB/s for 100k- and 1M-row results through
// the Flight server (a plain gRPC client on loopback, every message decoded by Arrow's reader, as
// clients do), through HTTP /v1/sql as JSON (the body parsed, as clients do; row and byte caps
// raised so the whole result comes back), and the physical limit: the same process merely
// reading the result's chunks out of DuckDB. Client and servers share this process and its core.
// Run alone: node --import tsx scripts/bench-flight.ts. Not a test: nothing here passes or fails.
// The engine is the runtime's own (sandbox, limits), as in production.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableFromIPC } from 'apache-arrow';
import { createFlightServer } from '../lib/runtime/flight';
import type { FlightData } from '../lib/runtime/flight/protocol';
import { AppDatabases } from '../lib/runtime/app-databases';
import { runtimeConfig } from '../lib/runtime/config';
import { inProcessEngine } from '../lib/runtime/engines';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { FailureLimiter } from '../lib/shared/http/failure-limiter';
import { digestSecret } from '../lib/shared/keys/digest';
import { generateApiKey } from '../lib/shared/keys/format';
import type { KeyStore } from '../lib/runtime/key-store';
import { createRuntimeServer } from '../lib/runtime/server';
import { rawClient, statementQuery } from '../tests/support/flight-client';

const KEY = 'bench-key';
const query = (rows: number) =>
  `SELECT range AS id, range::DOUBLE / 3 AS x, 'name-' || range AS name, TIMESTAMP '2024-01-01' + to_seconds(range) AS at, range % 7 = 0 AS flag FROM range(${rows})`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-flight-'));
// The HTTP door's row and byte caps raised so that both doors carry the whole result.
const config = runtimeConfig({ RUNTIME_DATA_DIR: dir, RUNTIME_MAX_ROWS: '2000000', RUNTIME_MAX_RESULT_BYTES: String(1024 ** 3) });
const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps });
const engine = inProcessEngine(databases, config);
const server = createFlightServer({
  authenticate: async (presented) => (presented === KEY ? { id: 'bench', appId: 1, orgId: 'bench', digest: '' } : null),
  limiter: new FailureLimiter(0), // 0: off, the bench presents its one key
  engine,
  tls: null,
  ticketSecret: randomBytes(32),
});
const port = await server.start(0, '127.0.0.1');

// The HTTP door on the same engine, with a key store that knows one key.
const httpKey = generateApiKey();
const digestKey = randomBytes(32);
const httpDigest = digestSecret(httpKey, digestKey);
const keyStore: KeyStore = {
  findByDigest: async (digest) => (digest === httpDigest ? { id: 'bench', appId: 1, orgId: 'bench', slot: 1, digest } : null),
  sampleKey: async () => null,
  recordUse: async () => undefined,
  existingApps: async (ids) => new Set(ids),
  currentDigests: async (ids) => new Map(ids.filter((id) => id === 'bench').map((id) => [id, httpDigest])),
  close: async () => undefined,
};
const http = createRuntimeServer({ config, keys: keyStore, engine, digestSecret: digestKey, log: () => undefined });
await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
const httpUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/v1/sql`;

async function viaHttp(sql: string): Promise<{ rows: number; bytes: number }> {
  const res = await fetch(httpUrl, { method: 'POST', headers: { 'X-API-Key': httpKey, 'Content-Type': 'text/plain' }, body: sql });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return { rows: (JSON.parse(text) as unknown[]).length, bytes: Buffer.byteLength(text) };
}
const client = rawClient(port);

async function viaFlight(sql: string): Promise<{ rows: number; bytes: number }> {
  const info = await client.getFlightInfo(KEY, statementQuery(sql));
  const call = client.startDoGet(KEY, info.endpoint[0]!.ticket.ticket);
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

const lines = ['| rows | path | time | rows/s | MB/s on the wire | vs HTTP JSON | vs DuckDB alone |', '| ---: | --- | ---: | ---: | ---: | ---: | ---: |'];
for (const rows of [100_000, 1_000_000]) {
  const sql = query(rows);
  await viaFlight(query(1000)); // warm up
  await viaHttp(query(1000));
  const flight = await best(3, () => viaFlight(sql));
  const json = await best(3, () => viaHttp(sql));
  const bare = await best(3, () => bareDuckDB(sql));
  const row = (label: string, ms: number, bytes: number | null) =>
    `| ${rows.toLocaleString('en')} | ${label} | ${ms.toFixed(0)} ms | ${Math.round((rows / ms) * 1000).toLocaleString('en')} | ${bytes === null ? '' : ((bytes / 1e6 / ms) * 1000).toFixed(0)} | ${(json.ms / ms).toFixed(1)}× | ${(bare.ms / ms).toFixed(2)} |`;
  lines.push(
    row('Flight (DoGet, Arrow decoded)', flight.ms, flight.value.bytes),
    row('HTTP /v1/sql JSON (parsed)', json.ms, json.value.bytes),
    row('DuckDB read alone', bare.ms, null),
  );
}
console.log(lines.join('\n'));

client.close();
http.closeAllConnections();
http.close();
await server.close();
await databases.close();
fs.rmSync(dir, { recursive: true, force: true });
