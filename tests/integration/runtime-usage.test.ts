// The runtime counts the requests each key opens, per minute, in the database the General page
// reads; a replaced key's requests never count for its successor.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { findAppAccess } from '@/lib/auth/access';
import { grant } from '@/lib/auth/permissions';
import { getApiKeysForDisplay } from '@/lib/data/apps';
import { currentKeys, newApp, newUser, regenerateAs } from './fixtures';
import { sql, startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  // Every use written at once, so the test need not wait for a batch.
  runtime = await startRuntime({ RUNTIME_LAST_USED_INTERVAL_MS: '0' });
});
afterAll(() => runtime.stop());

async function settle(keyId: string, expected: number) {
  for (let i = 0; i < 50; i++) {
    const total = (await db.apiKeyUsage.aggregate({ where: { keyId }, _sum: { count: true } }))._sum.count ?? 0;
    if (total >= expected) return total;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('usage was not written');
}

it('counts each key’s requests for the General page, and starts again from zero for a regenerated key', async () => {
  const { user, org } = await newUser('Ursula');
  const app = await newApp(user, org.name);
  const keys = await currentKeys(app.id);
  for (let i = 0; i < 3; i++) expect((await sql(runtime.url, keys[1], 'SELECT 1 AS one')).status).toBe(200);
  const row = await db.apiKey.findUniqueOrThrow({ where: { appId_slot: { appId: app.id, slot: 1 } }, select: { id: true } });
  expect(await settle(row.id, 3)).toBe(3);
  const access = grant((await findAppAccess(user.id, { id: app.id }))!, 'key:view');
  const [key1, key2] = await getApiKeysForDisplay(access);
  expect(key1).toMatchObject({ requests24h: 3 });
  expect(key1!.lastUsedAt).not.toBeNull();
  expect(key2).toMatchObject({ requests24h: 0, lastUsedAt: null });

  await regenerateAs(user, app.id, [1]);
  // The old key is refused (and not counted); the new one starts from zero.
  expect((await sql(runtime.url, keys[1], 'SELECT 1')).status).toBe(401);
  const [after] = await getApiKeysForDisplay(access);
  expect(after).toMatchObject({ requests24h: 0, lastUsedAt: null });
});
