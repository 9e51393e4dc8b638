// Crash-proof app databases: a build that fails half-way (a full disk, a write that fails) leaves
// nothing behind, and a file that does not hold the sample data is rebuilt, never served.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AppDatabases } from '@/lib/runtime/app-databases';
import { currentKeys, newApp, newUser } from './fixtures';
import { sql, startRuntime } from './runtime-helpers';

let fault: ((file: string) => void) | null = null;
let runtime: Awaited<ReturnType<typeof startRuntime>>;
let owner: Awaited<ReturnType<typeof newUser>>;

beforeAll(async () => {
  owner = await newUser('Bea');
  runtime = await startRuntime({}, { beforeInstall: (file) => fault?.(file) });
});
afterAll(() => runtime.stop());

const files = () => fs.readdirSync(runtime.dataDir).filter((name) => name !== 'tmp');

async function countTrips(key: string) {
  const res = await sql(runtime.url, key, 'SELECT count(*) AS n FROM taxi_trips');
  return { status: res.status, body: await res.text() };
}

it('a write that fails while building leaves no file behind, and the next query builds the database and answers', async () => {
  const app = await newApp(owner.user, owner.org.name, 'full-disk');
  const keys = await currentKeys(app.id);
  fault = () => {
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  const failed = await countTrips(keys[1]);
  expect(failed.status).toBe(500);
  expect(failed.body).toBe('{"error":"Internal error."}');
  expect(files()).toEqual([]);

  fault = null;
  expect(await countTrips(keys[1])).toEqual({ status: 200, body: '[{"n":10000}]' });
  expect(files()).toEqual([`app-${app.id}.duckdb`]);
});

it('a file cut short during the build fails its check and is never installed', async () => {
  const app = await newApp(owner.user, owner.org.name, 'cut-short');
  const keys = await currentKeys(app.id);
  // A real broken write: the finished temporary file loses its second half.
  fault = (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
  expect((await countTrips(keys[1])).status).toBe(500);
  expect(files().filter((name) => name.includes(`app-${app.id}.`))).toEqual([]);
  fault = null;
  expect(await countTrips(keys[2])).toEqual({ status: 200, body: '[{"n":10000}]' });
});

it.each([
  ['a database without taxi_trips (what a half-built file used to leave)', 'CREATE TABLE other AS SELECT 1 AS a'],
  ['a database with taxi_trips cut short', 'CREATE TABLE taxi_trips AS SELECT range AS trip_id FROM range(10)'],
  ['a file that is not a database at all', null],
])('rebuilds %s found in place, then answers', async (_, content) => {
  const app = await newApp(owner.user, owner.org.name);
  const keys = await currentKeys(app.id);
  const file = path.join(runtime.dataDir, `app-${app.id}.duckdb`);
  fs.mkdirSync(runtime.dataDir, { recursive: true });
  if (content) {
    const instance = await DuckDBInstance.create(file);
    const connection = await instance.connect();
    await connection.run(content);
    connection.closeSync();
    instance.closeSync();
  } else {
    fs.writeFileSync(file, 'not a database');
  }
  expect(await countTrips(keys[1])).toEqual({ status: 200, body: '[{"n":10000}]' });
  expect(await (await sql(runtime.url, keys[1], 'SHOW TABLES')).json()).toEqual([{ name: 'taxi_trips' }]);
});

it('removes the temp files a crashed runtime left behind, and only those', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-stale-'));
  try {
    // A pid far above Linux's maximum is no running process; our parent is one.
    const stale = path.join(dir, 'tmp', '99999999', 'app-1');
    const live = path.join(dir, 'tmp', String(process.ppid), 'app-1');
    for (const folder of [stale, live]) {
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'duckdb_temp_storage-0.tmp'), 'spilled');
    }
    const databases = new AppDatabases(dir);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    await databases.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
