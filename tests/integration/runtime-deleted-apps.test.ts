// Deleting an app in the portal: both keys are refused by the runtime's very next request, and
// the app's data leaves the runtime's folder at its next sweep; other apps keep theirs.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { deleteApp } from '@/lib/actions/delete-app';
import { removeDeletedApps } from '@/lib/runtime/deleted-apps';
import { currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';
import { sql, startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  runtime = await startRuntime();
});
afterAll(() => runtime.stop());

it("refuses a deleted app's keys at once and removes its database at the next sweep, keeping other apps'", async () => {
  const { user, org } = await newUser('Del');
  const doomed = await newApp(user, org.name, 'doomed-app');
  const kept = await newApp(user, org.name, 'kept-app');
  const doomedKeys = await currentKeys(doomed.id);
  const keptKeys = await currentKeys(kept.id);
  for (const key of [doomedKeys[1], keptKeys[1]]) expect((await sql(runtime.url, key, 'SELECT COUNT(*) AS n FROM taxi_trips')).status).toBe(200);
  expect(runtime.databases.storedAppIds().sort()).toEqual([doomed.id, kept.id].sort());

  await signInAs(user);
  expect(await deleteApp({ appId: doomed.id, confirmName: 'doomed-app' })).toMatchObject({ ok: true });
  for (const key of [doomedKeys[1], doomedKeys[2]]) {
    const res = await sql(runtime.url, key, 'SELECT 1');
    expect([res.status, await res.text()]).toEqual([401, 'Unauthorized']);
  }

  expect(await removeDeletedApps(runtime.keys, runtime.databases)).toEqual([doomed.id]);
  expect(fs.existsSync(runtime.databases.fileFor(doomed.id))).toBe(false);
  expect(runtime.databases.storedAppIds()).toEqual([kept.id]);
  expect((await sql(runtime.url, keptKeys[2], 'SELECT COUNT(*) AS n FROM taxi_trips')).status).toBe(200);
  // A second sweep finds nothing more to remove.
  expect(await removeDeletedApps(runtime.keys, runtime.databases)).toEqual([]);
});
