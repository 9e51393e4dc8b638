// Apps a team can manage: names that make good URLs and are unique regardless of case, found
// by URL in any case; rename and description by owners and admins; delete by typing the name,
// after which both keys are refused at once. On SQLite and PostgreSQL.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { createApp } from '@/lib/actions/create-app';
import { deleteApp } from '@/lib/actions/delete-app';
import { updateApp } from '@/lib/actions/update-app';
import { findAppAccess, findOrgAccess } from '@/lib/auth/access';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { checkKey } from './key-check';
import { actingAs, signInAs, signOut } from './request';

beforeEach(() => signOut());

async function team() {
  const owner = await newUser('Olga');
  const admin = await newUser('Adam');
  const member = await newUser('Mia');
  await signInAs(owner.user);
  for (const [who, role] of [
    [admin, 'admin'],
    [member, 'member'],
  ] as const) {
    expect((await addMember({ org: owner.org.name, email: who.user.email, role })).ok).toBe(true);
  }
  return { org: owner.org, owner: owner.user, admin: admin.user, member: member.user };
}

const auditOf = (orgId: string, action: string) =>
  db.auditEvent.findMany({ where: { orgId, action }, orderBy: { createdAt: 'asc' }, select: { appId: true, actorId: true, details: true } });

describe('app names', () => {
  it('refuses names that break the rules, with the rule in the message', async () => {
    const { user, org } = await newUser('Nina');
    await signInAs(user);
    for (const name of ['-abc-', 'ab', 'a--b-c', 'taxi_demo', 'tax demo', 'x'.repeat(64), 'trailing-']) {
      const result = await createApp({ org: org.name, name, description: '' });
      expect(result, name).toMatchObject({ ok: false, fieldErrors: { name: [expect.stringMatching(/4 to 63|letters, digits and single hyphens/)] } });
    }
    for (const name of ['activity', 'members', 'settings', 'Activity']) {
      expect(await createApp({ org: org.name, name, description: '' }), name).toMatchObject({
        ok: false,
        fieldErrors: { name: ['This name is reserved. Choose another.'] },
      });
    }
    expect(await db.app.count({ where: { orgId: org.id } })).toBe(0);
  });

  it('stores typed capitals in lowercase, and refuses a name that differs only by case', async () => {
    const { user, org } = await newUser('Nina');
    await signInAs(user);
    expect(await createApp({ org: org.name, name: 'Taxi-Demo', description: '' })).toEqual({ ok: true, data: { name: 'taxi-demo' } });
    expect(await createApp({ org: org.name, name: 'taxi-demo', description: '' })).toMatchObject({
      ok: false,
      fieldErrors: { name: ['An app with this name already exists in this organization.'] },
    });
    expect(await createApp({ org: org.name, name: 'TAXI-DEMO', description: '' })).toMatchObject({ ok: false });
    expect(await db.app.findMany({ where: { orgId: org.id }, select: { name: true } })).toEqual([{ name: 'taxi-demo' }]);
  });

  it('finds organizations and apps by URL in any case, and only for members', async () => {
    const { user, org } = await newUser('Nina');
    const app = await newApp(user, org.name, 'taxi-demo');
    const access = await findAppAccess(user.id, { orgName: org.name.toUpperCase(), appName: 'Taxi-Demo' });
    expect(access?.app.id).toBe(app.id);
    expect(access?.app.name).toBe('taxi-demo');
    expect((await findOrgAccess(user.id, { name: org.name.toUpperCase() }))?.org.name).toBe(org.name);
    const stranger = await newUser('Sam');
    expect(await findAppAccess(stranger.user.id, { orgName: org.name.toUpperCase(), appName: 'TAXI-DEMO' })).toBeNull();
    expect(await findOrgAccess(stranger.user.id, { name: org.name.toUpperCase() })).toBeNull();
  });
});

describe('rename and description', () => {
  it('lets owners and admins rename an app and edit its description, with audit events', async () => {
    const { org, owner, admin } = await team();
    const app = await newApp(owner, org.name, 'taxi-demo');
    const keysBefore = await currentKeys(app.id);

    await signInAs(admin);
    expect(await updateApp({ appId: app.id, name: 'Taxi-Trips', description: 'Trips of 2026' })).toEqual({
      ok: true,
      data: { org: org.name, name: 'taxi-trips' },
    });
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { name: true, description: true } })).toEqual({
      name: 'taxi-trips',
      description: 'Trips of 2026',
    });
    // A rename keeps the keys: clients are not disturbed.
    expect(await currentKeys(app.id)).toEqual(keysBefore);
    expect(await checkKey(keysBefore[1])).toEqual({ appId: app.id, slot: 1 });

    await signInAs(owner);
    expect((await updateApp({ appId: String(app.id), name: 'taxi-trips', description: 'Only the description' })).ok).toBe(true);
    // Nothing changed: no event.
    expect((await updateApp({ appId: app.id, name: 'taxi-trips', description: 'Only the description' })).ok).toBe(true);

    const renamed = await auditOf(org.id, 'app.renamed');
    expect(renamed).toEqual([{ appId: app.id, actorId: admin.id, details: JSON.stringify({ previousName: 'taxi-demo', name: 'taxi-trips' }) }]);
    expect(await auditOf(org.id, 'app.updated')).toEqual([
      { appId: app.id, actorId: admin.id, details: null },
      { appId: app.id, actorId: owner.id, details: null },
    ]);
    expect(await findAppAccess(owner.id, { orgName: org.name, appName: 'taxi-demo' })).toBeNull();
  });

  it('refuses a member, a stranger, a taken name and a bad name, changing nothing', async () => {
    const { org, owner, member } = await team();
    const app = await newApp(owner, org.name, 'taxi-demo');
    await newApp(owner, org.name, 'other-app');

    await signInAs(member);
    expect(await updateApp({ appId: app.id, name: 'new-name', description: '' })).toEqual({
      ok: false,
      error: 'Only owners and admins can rename an app or edit its description.',
    });
    const stranger = await newUser('Sam');
    await signInAs(stranger.user);
    expect(await updateApp({ appId: app.id, name: 'new-name', description: '' })).toEqual({ ok: false, error: 'Not found.' });

    await signInAs(owner);
    expect(await updateApp({ appId: app.id, name: 'Other-App', description: '' })).toMatchObject({
      ok: false,
      fieldErrors: { name: ['An app with this name already exists in this organization.'] },
    });
    expect(await updateApp({ appId: app.id, name: '-bad-', description: '' })).toMatchObject({ ok: false, fieldErrors: { name: [expect.any(String)] } });
    expect(await updateApp({ appId: app.id, name: 'activity', description: '' })).toMatchObject({
      ok: false,
      fieldErrors: { name: ['This name is reserved. Choose another.'] },
    });
    expect(await updateApp({ appId: app.id, name: 'fine-name', description: 'x'.repeat(501) })).toMatchObject({
      ok: false,
      fieldErrors: { description: [expect.any(String)] },
    });
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { name: true, description: true } })).toEqual({
      name: 'taxi-demo',
      description: 'test app',
    });
    expect(await auditOf(org.id, 'app.renamed')).toEqual([]);
  });

  it('gives one of two simultaneous renames to one name, and a clear refusal to the other', async () => {
    const { org, owner, admin } = await team();
    const first = await newApp(owner, org.name, 'first-app');
    const second = await newApp(owner, org.name, 'second-app');
    const results = await Promise.all([
      actingAs(owner, () => updateApp({ appId: first.id, name: 'wanted-name', description: '' })),
      actingAs(admin, () => updateApp({ appId: second.id, name: 'wanted-name', description: '' })),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ error: 'An app with this name already exists in this organization.' });
    expect(await db.app.count({ where: { orgId: org.id, name: 'wanted-name' } })).toBe(1);
  });
});

describe('delete', () => {
  it('deletes the app and both keys in one step after the name is typed; both keys are refused at once', async () => {
    const { org, owner, admin } = await team();
    const app = await newApp(owner, org.name, 'doomed-app');
    const keys = await currentKeys(app.id);
    expect(await checkKey(keys[1])).not.toBeNull();
    expect(await checkKey(keys[2])).not.toBeNull();
    const keyIds = (await db.apiKey.findMany({ where: { appId: app.id }, select: { id: true } })).map((k) => k.id);
    await db.apiKeyUsage.create({ data: { keyId: keyIds[0]!, minute: new Date(), count: 3 } });

    await signInAs(admin);
    expect(await deleteApp({ appId: app.id, confirmName: 'Doomed-App' })).toMatchObject({ ok: false, fieldErrors: { confirmName: [expect.any(String)] } });
    expect(await deleteApp({ appId: app.id, confirmName: 'doomed' })).toMatchObject({ ok: false });
    expect(await db.app.count({ where: { id: app.id } })).toBe(1);

    expect(await deleteApp({ appId: app.id, confirmName: 'doomed-app' })).toEqual({ ok: true, data: { org: org.name, name: 'doomed-app' } });
    expect(await db.app.count({ where: { id: app.id } })).toBe(0);
    expect(await db.apiKey.count({ where: { appId: app.id } })).toBe(0);
    expect(await db.apiKeyUsage.count({ where: { keyId: { in: keyIds } } })).toBe(0);
    expect(await checkKey(keys[1])).toBeNull();
    expect(await checkKey(keys[2])).toBeNull();

    const deleted = await db.auditEvent.findMany({ where: { orgId: org.id, action: 'app.deleted' }, select: { appId: true, actorId: true, details: true } });
    expect(deleted).toEqual([{ appId: null, actorId: admin.id, details: JSON.stringify({ name: 'doomed-app', appId: app.id }) }]);
    // The app's earlier events stay in the organization's trail.
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'app.created' } })).toBe(1);
    // Deleted once: the second attempt finds nothing.
    expect(await deleteApp({ appId: app.id, confirmName: 'doomed-app' })).toEqual({ ok: false, error: 'Not found.' });
  });

  it('refuses members and strangers, changing nothing', async () => {
    const { org, owner, member } = await team();
    const app = await newApp(owner, org.name, 'kept-app');
    await signInAs(member);
    expect(await deleteApp({ appId: app.id, confirmName: 'kept-app' })).toEqual({ ok: false, error: 'Only owners and admins can delete an app.' });
    const stranger = await newUser('Sam');
    await signInAs(stranger.user);
    expect(await deleteApp({ appId: app.id, confirmName: 'kept-app' })).toEqual({ ok: false, error: 'Not found.' });
    expect(await db.apiKey.count({ where: { appId: app.id } })).toBe(2);
    expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'app.deleted' } })).toBe(0);
  });

  it('refuses a delete confirmed with the old name after a rename meanwhile', async () => {
    const { org, owner, admin } = await team();
    const app = await newApp(owner, org.name, 'moving-app');
    await signInAs(owner);
    expect((await updateApp({ appId: app.id, name: 'moved-app', description: '' })).ok).toBe(true);
    await signInAs(admin);
    expect(await deleteApp({ appId: app.id, confirmName: 'moving-app' })).toMatchObject({ ok: false, fieldErrors: { confirmName: [expect.any(String)] } });
    expect(await db.app.count({ where: { id: app.id } })).toBe(1);
  });
});
