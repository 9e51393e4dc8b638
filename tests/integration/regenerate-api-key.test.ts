import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { isWellFormedApiKey } from '@/lib/shared/keys/format';
import { findAppAccess } from '@/lib/auth/access';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { checkKey as verify } from './key-check';
import { signInAs, signOut } from './request';

beforeEach(() => signOut());

describe('creating an app', () => {
  it('makes exactly two distinct, working keys', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const keys = await currentKeys(app.id);
    expect(await db.apiKey.count({ where: { appId: app.id } })).toBe(2);
    expect(keys[1]).not.toBe(keys[2]);
    expect(isWellFormedApiKey(keys[1])).toBe(true);
    expect(await verify(keys[1])).toEqual({ appId: app.id, slot: 1 });
    expect(await verify(keys[2])).toEqual({ appId: app.id, slot: 2 });
  });

  it('stores no plaintext key', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const keys = await currentKeys(app.id);
    const rows = await db.apiKey.findMany({ where: { appId: app.id }, select: { ciphertext: true, digest: true } });
    for (const row of rows) {
      expect(row.ciphertext).not.toContain(keys[1].slice(4, 20));
      expect(row.ciphertext).not.toContain(keys[2].slice(4, 20));
      expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('regenerating a key', () => {
  it('replaces slot 1 only: the old key fails at once, the new one works, an audit row is written', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const before = await currentKeys(app.id);

    await signInAs(user);
    const result = await regenerateApiKey({ appId: app.id, slot: 1 });
    const after = await currentKeys(app.id);
    // The action answers the new key, for the page to show once.
    expect(result).toEqual({ ok: true, data: { slot: 1, key: after[1] } });

    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
    expect(await verify(before[1])).toBeNull();
    expect(await verify(after[1])).toEqual({ appId: app.id, slot: 1 });
    expect(await verify(before[2])).toEqual({ appId: app.id, slot: 2 });

    const audit = await db.auditEvent.findMany({ where: { appId: app.id, action: 'api_key.regenerated' } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: user.id, slot: 1, orgId: org.id, ip: '203.0.113.7', userAgent: 'vitest' });
    const row = await db.apiKey.findUniqueOrThrow({ where: { appId_slot: { appId: app.id, slot: 1 } }, select: { createdById: true } });
    expect(row.createdById).toBe(user.id);
  });

  it('refuses a member (not an owner or admin) and changes nothing', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: member } = await newUser('Max');
    const app = await newApp(owner, org.name);
    await signInAs(owner);
    expect(await addMember({ org: org.name, email: member.email, role: 'member' })).toEqual({ ok: true, data: null });
    const before = await currentKeys(app.id);

    await signInAs(member);
    const result = await regenerateApiKey({ appId: app.id, slot: 1 });
    expect(result).toEqual({ ok: false, error: 'Only owners and admins can regenerate keys.' });
    expect(await currentKeys(app.id)).toEqual(before);
    expect(await db.auditEvent.count({ where: { appId: app.id, action: 'api_key.regenerated' } })).toBe(0);
  });

  it('lets an admin regenerate', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: admin } = await newUser('Ada');
    const app = await newApp(owner, org.name);
    await signInAs(owner);
    await addMember({ org: org.name, email: admin.email, role: 'admin' });
    const before = await currentKeys(app.id);
    await signInAs(admin);
    expect((await regenerateApiKey({ appId: app.id, slot: 2 })).ok).toBe(true);
    expect((await currentKeys(app.id))[2]).not.toBe(before[2]);
  });

  it('answers "not found" to a non-member, and to an unknown app, and changes nothing', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: stranger } = await newUser('Eve');
    const app = await newApp(owner, org.name);
    const before = await currentKeys(app.id);
    await signInAs(stranger);
    expect(await regenerateApiKey({ appId: app.id, slot: 1 })).toEqual({ ok: false, error: 'Not found.' });
    expect(await regenerateApiKey({ appId: 999_999, slot: 1 })).toEqual({ ok: false, error: 'Not found.' });
    expect(await currentKeys(app.id)).toEqual(before);
  });

  it('refuses without a session, and with a slot other than 1 or 2', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const before = await currentKeys(app.id);
    signOut();
    expect(await regenerateApiKey({ appId: app.id, slot: 1 })).toEqual({ ok: false, error: 'You are signed out. Sign in again.' });
    await signInAs(user);
    for (const slot of [0, 3, -1, 1.5, 'one', null]) {
      const result = await regenerateApiKey({ appId: app.id, slot });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toBe('Key slot must be 1 or 2.');
    }
    expect((await regenerateApiKey({ appId: 'abc', slot: 1 })).ok).toBe(false);
    expect((await regenerateApiKey('not an object')).ok).toBe(false);
    expect(await currentKeys(app.id)).toEqual(before);
    expect(await db.auditEvent.count({ where: { appId: app.id, action: 'api_key.regenerated' } })).toBe(0);
  });

  it('20 concurrent regenerations of one slot leave one current key; all 20 replaced keys fail', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const original = await currentKeys(app.id);
    await signInAs(user);

    const issued: string[] = [];
    const { regenerateApiKeys } = await import('@/lib/data/api-keys');
    const access = (await findAppAccess(user.id, { id: app.id }))!;
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const result = await regenerateApiKeys(access, { slots: [1], origin: { actorId: user.id } });
        issued.push(result[1].key);
        return result;
      }),
    );
    expect(results).toHaveLength(20);
    const final = await currentKeys(app.id);
    expect(issued).toContain(final[1]);
    expect(await db.apiKey.count({ where: { appId: app.id } })).toBe(2);

    const replaced = [original[1], ...issued.filter((key) => key !== final[1])];
    expect(replaced).toHaveLength(20);
    for (const key of replaced) expect(await verify(key)).toBeNull();
    expect(await verify(final[1])).toMatchObject({ slot: 1 });
    expect(await verify(original[2])).toMatchObject({ slot: 2 });
    // The audit trail is in the order the keys were committed: no two events at the same time,
    // and the latest is the current key's.
    const events = await db.auditEvent.findMany({
      where: { appId: app.id, action: 'api_key.regenerated', slot: 1 },
      orderBy: { createdAt: 'asc' },
      select: { createdAt: true },
    });
    expect(events).toHaveLength(20);
    const times = events.map((event) => event.createdAt.getTime());
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThan(times[i - 1]!);
    const key = await db.apiKey.findFirstOrThrow({ where: { appId: app.id, slot: 1 }, select: { createdAt: true } });
    expect(times.at(-1)).toBe(key.createdAt.getTime());
  });

  it('20 concurrent regenerations through the action also leave one current key and 20 audit rows', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const original = await currentKeys(app.id);
    await signInAs(user);
    const results = await Promise.all(Array.from({ length: 20 }, () => regenerateApiKey({ appId: app.id, slot: 2 })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(await verify(original[2])).toBeNull();
    expect(await db.auditEvent.count({ where: { appId: app.id, action: 'api_key.regenerated', slot: 2 } })).toBe(20);
    const final = await currentKeys(app.id);
    expect(await verify(final[2])).toMatchObject({ slot: 2 });
    expect(final[1]).toBe(original[1]);
  });
});

describe('the key check', () => {
  it('rejects a well-formed key that was never issued', async () => {
    const { generateApiKey } = await import('@/lib/shared/keys/format');
    expect(await verify(generateApiKey())).toBeNull();
  });
});

describe('an app deleted while its key is being regenerated', () => {
  it('answers "not found", never that the old key still works', async () => {
    const { user, org } = await newUser();
    const app = await newApp(user, org.name);
    const access = (await findAppAccess(user.id, { id: app.id }))!;
    await db.app.delete({ where: { id: app.id } });
    const { regenerateApiKeys } = await import('@/lib/data/api-keys');
    await expect(regenerateApiKeys(access, { slots: [1], origin: { actorId: user.id } })).rejects.toMatchObject({ code: 'not_found' });
    await signInAs(user);
    expect(await regenerateApiKey({ appId: app.id, slot: 1 })).toEqual({ ok: false, error: 'Not found.' });
  });
});

describe('an admin demoted or removed while regenerating', () => {
  it('is refused under the lock with the role as it is then, and the key stays', async () => {
    const { user: owner, org } = await newUser('Olga');
    const { user: admin } = await newUser('Adam');
    const app = await newApp(owner, org.name);
    const before = await currentKeys(app.id);
    await db.membership.create({ data: { orgId: org.id, userId: admin.id, role: 'admin' } });
    // Checked while still an admin…
    const access = (await findAppAccess(admin.id, { id: app.id }))!;
    expect(access.role).toBe('admin');
    const { regenerateApiKeys } = await import('@/lib/data/api-keys');
    const regenerate = () => regenerateApiKeys(access, { slots: [1], origin: { actorId: admin.id } });
    // …then demoted before the change runs.
    await db.membership.update({ where: { orgId_userId: { orgId: org.id, userId: admin.id } }, data: { role: 'member' } });
    await expect(regenerate()).rejects.toMatchObject({ code: 'forbidden', message: 'Only owners and admins can regenerate keys.' });
    // …or removed.
    await db.membership.delete({ where: { orgId_userId: { orgId: org.id, userId: admin.id } } });
    await expect(regenerate()).rejects.toMatchObject({ code: 'not_found' });
    expect(await currentKeys(app.id)).toEqual(before);
    expect(await db.auditEvent.count({ where: { appId: app.id, action: 'api_key.regenerated' } })).toBe(0);
  });
});
