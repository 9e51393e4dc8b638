// An organization has at most MAX_APPS_PER_ORG apps (3 here), so that apps are not free tickets to
// the runtime's query slots: one more is refused with a message naming the limit, also when
// several are created at the same moment, and deleting one makes room again. On both databases.
import { expect, it } from 'vitest';
import { createApp } from '@/lib/actions/create-app';
import { deleteApp } from '@/lib/actions/delete-app';
import { db } from '@/lib/db';
import { newApp, newUser } from './fixtures';
import { signInAs } from './request';

// Read when the server's configuration is first parsed, in this file's own process.
process.env.MAX_APPS_PER_ORG = '3';

const LIMIT = 'This organization has 3 apps, the most it may have (MAX_APPS_PER_ORG). Delete an app you no longer use to create another.';

it('refuses a fourth app with a message naming the limit, and makes room when one is deleted', async () => {
  const { user, org } = await newUser('Lim');
  const first = await newApp(user, org.name);
  await newApp(user, org.name);
  await newApp(user, org.name);
  await signInAs(user);
  expect(await createApp({ org: org.name, name: 'one-too-many' })).toEqual({ ok: false, error: LIMIT });
  expect(await db.app.count({ where: { orgId: org.id } })).toBe(3);

  expect((await deleteApp({ appId: first.id, confirmName: first.name })).ok).toBe(true);
  expect(await createApp({ org: org.name, name: 'room-again' })).toMatchObject({ ok: true });
  expect(await db.app.count({ where: { orgId: org.id } })).toBe(3);
});

it('lets only one of several creations at the same moment take the last place', async () => {
  const { user, org } = await newUser('Race');
  await newApp(user, org.name);
  await newApp(user, org.name);
  await signInAs(user);
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => createApp({ org: org.name, name: `racer-${i}` })));
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  expect(results.filter((r) => !r.ok)).toEqual(Array.from({ length: 4 }, () => ({ ok: false, error: LIMIT })));
  expect(await db.app.count({ where: { orgId: org.id } })).toBe(3);
});

it('counts the apps of each organization on their own', async () => {
  const { user, org } = await newUser('Own');
  for (let i = 0; i < 3; i++) await newApp(user, org.name);
  const other = await newUser('Other');
  expect((await newApp(other.user, other.org.name)).orgId).toBe(other.org.id);
});
