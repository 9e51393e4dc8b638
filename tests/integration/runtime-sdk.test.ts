// The official Spice SDK (@spiceai/spice, not ours) against our runtime: the two-key rotation
// end to end.
import { SpiceClient } from '@spiceai/spice';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';
import { startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  runtime = await startRuntime();
});
afterAll(() => runtime.stop());

const client = (apiKey: string) => new SpiceClient({ apiKey, httpUrl: runtime.url, httpOnly: true });

it('queries with either key through the SDK, and a regenerated key fails with 401 while the other works', async () => {
  const { user, org } = await newUser('Sage');
  const app = await newApp(user, org.name, 'sdk-app');
  const keys = await currentKeys(app.id);
  const one = client(keys[1]);
  const two = client(keys[2]);

  expect(await one.isSpiceHealthy()).toBe(true);
  expect(await one.isSpiceReady()).toBe(true);

  const tables = await one.sql('SHOW TABLES');
  expect(tables.toArray().map((row) => row.toJSON().name)).toEqual(['taxi_trips']);
  const aggregate = await one.sql(
    'SELECT passenger_count, COUNT(*) AS trips, ROUND(AVG(total_amount), 2) AS avg_total FROM taxi_trips GROUP BY passenger_count ORDER BY passenger_count',
  );
  const rows = aggregate.toArray().map((row) => row.toJSON());
  expect(rows.length).toBeGreaterThan(1);
  expect(rows.reduce((sum, row) => sum + Number(row.trips), 0)).toBe(10000);

  await signInAs(user);
  expect((await regenerateApiKey({ appId: app.id, slot: 1 })).ok).toBe(true);

  await expect(one.sql('SELECT 1 AS one')).rejects.toThrow(/401/);
  const stillWorking = await two.sql('SELECT 1 AS one');
  expect(stillWorking.toArray().map((row) => row.toJSON())).toEqual([{ one: 1 }]);
  const fresh = client((await currentKeys(app.id))[1]);
  expect((await fresh.sql('SELECT COUNT(*) AS n FROM taxi_trips')).toArray().map((row) => Number(row.toJSON().n))).toEqual([10000]);
});
