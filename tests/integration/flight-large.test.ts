// A 2,000,000-row result (about 620 MB as Arrow) streams to the official SDK over TLS while the
// Flight server, alone in its own process, stays within a fixed memory budget well below the
// result's size; the row count and column checksums match the same query run on DuckDB directly.
// (Measured here: the peak grows by 130 to 200 MB, garbage not yet collected and DuckDB's buffers,
// more on a busy machine; it does not grow with the result: with 90-character strings it grew by
// 85 MB for 1 and for 3 million rows alike. A server that buffered the result would grow by at
// least its size, three times the budget.)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { SpiceClient } from '@spiceai/spice';
import type { Table } from 'apache-arrow';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { currentKeys, newApp, newUser } from './fixtures';

const SQL = "SELECT range AS i, range::DOUBLE / 2 AS d, 'row-' || range || repeat('x', 290) AS s FROM range(2000000)";
/** How much the server's peak memory may grow while it sends the result: well under the result's size. */
const GROWTH_BUDGET_MB = 300;

let child: ChildProcess;
let server: { port: number; certFile: string };
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flight-large-'));

beforeAll(async () => {
  child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/flight-process.ts'], {
    env: { ...process.env, FLIGHT_TEST_DIR: dir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  server = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (data: Buffer) => {
      out += data.toString();
      if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!));
    });
    child.once('exit', (code) => reject(new Error(`the Flight process exited with ${code}`)));
  });
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  fs.rmSync(dir, { recursive: true, force: true });
});

function memoryMb(field: 'VmRSS' | 'VmHWM'): number {
  const status = fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
}

function checksums(table: Table) {
  let sumI = 0n;
  let sumD = 0;
  let lengthS = 0;
  for (const batch of table.batches) {
    for (const value of batch.getChild('i')!.data[0]!.values as BigInt64Array) sumI += value;
    for (const value of batch.getChild('d')!.toArray() as Float64Array) sumD += value;
    const offsets = batch.getChild('s')!.data[0]!.valueOffsets as Int32Array;
    lengthS += offsets[batch.numRows]! - offsets[0]!;
  }
  return { rows: table.numRows, sumI, sumD, lengthS };
}

it('streams 2,000,000 rows to the SDK with the server memory bounded and the data intact', async () => {
  const { user, org } = await newUser('Lars');
  const app = await newApp(user, org.name);
  const keys = await currentKeys(app.id);
  const spice = new SpiceClient({
    apiKey: keys[1],
    flightUrl: `localhost:${server.port}`,
    flightTlsEnabled: true,
    tlsRootCertFile: server.certFile,
    flightOnly: true,
    logging: false,
  });

  // Warm up (the app's database, the code paths), then measure from here.
  await spice.sql('SELECT COUNT(*) FROM taxi_trips');
  const before = memoryMb('VmRSS');
  fs.writeFileSync(`/proc/${child.pid}/clear_refs`, '5'); // resets the peak (VmHWM) to the current size

  const table = await spice.sql(SQL);
  const peak = memoryMb('VmHWM');

  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll(`SELECT COUNT(*) AS rows, SUM(i) AS sum_i, SUM(d)::DOUBLE AS sum_d, SUM(length(s)) AS length_s FROM (${SQL})`);
  const [rows, sumI, sumD, lengthS] = reader.getRows()[0]!;
  connection.closeSync();
  instance.closeSync();

  const got = checksums(table);
  console.log(`flight server memory: ${before.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB while sending ${(got.lengthS / 1e6).toFixed(0)} MB of strings`);
  expect(got.rows).toBe(2_000_000);
  expect(Number(rows)).toBe(2_000_000);
  expect(got.sumI).toBe(BigInt(sumI as bigint));
  expect(got.sumD).toBeCloseTo(Number(sumD), 3);
  expect(got.lengthS).toBe(Number(lengthS));
  expect(got.lengthS).toBeGreaterThan(590_000_000);
  expect(peak - before).toBeLessThan(GROWTH_BUDGET_MB);
}, 120_000);
