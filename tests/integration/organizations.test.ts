// Organizations a user can create and leave: the creator owns a new one; anyone may leave, an
// owner only while another owner remains, also when two owners leave at the same moment.
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { createOrganization } from '@/lib/actions/create-organization';
import { leaveOrganization } from '@/lib/actions/leave-organization';
import { findOrgAccess, listOrgAccess } from '@/lib/auth/access';
import { addMember, newUser } from './fixtures';
import { actingAs, signInAs, signOut } from './request';

beforeEach(() => signOut());

const unique = () => `team-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

it('creates an organization owned by its creator, with an org.created event', async () => {
  const { user, org: personal } = await newUser('Nora');
  await signInAs(user);
  const name = unique();
  expect(await createOrganization({ name: name.toUpperCase() })).toEqual({ ok: true, data: { name } });
  const orgs = await listOrgAccess(user.id);
  expect(orgs.map((access) => [access.org.name, access.role])).toEqual([
    [personal.name, 'owner'],
    [name, 'owner'],
  ]);
  const created = orgs[1]!.org;
  expect(await db.auditEvent.findMany({ where: { orgId: created.id }, select: { action: true, actorId: true } })).toEqual([
    { action: 'org.created', actorId: user.id },
  ]);
});

it('refuses a taken name (in any case), a name that breaks the rules, a reserved one, and the signed-out', async () => {
  const { user } = await newUser('Nora');
  await signInAs(user);
  const name = unique();
  expect((await createOrganization({ name })).ok).toBe(true);
  expect(await createOrganization({ name: name.toUpperCase() })).toMatchObject({
    ok: false,
    fieldErrors: { name: ['An organization with this name already exists. Choose another.'] },
  });
  for (const bad of ['-team-', 'abc', 'a_b_c_d', 'x'.repeat(64)]) {
    expect(await createOrganization({ name: bad }), bad).toMatchObject({ ok: false, fieldErrors: { name: [expect.any(String)] } });
  }
  for (const reserved of ['login', 'signup', 'settings']) {
    expect(await createOrganization({ name: reserved }), reserved).toMatchObject({
      ok: false,
      fieldErrors: { name: ['This name is reserved. Choose another.'] },
    });
  }
  signOut();
  expect(await createOrganization({ name: unique() })).toEqual({ ok: false, error: 'You are signed out. Sign in again.' });
  expect(await db.organization.count({ where: { name } })).toBe(1);
});

it('lets a member leave, with a member.left event, after which the organization is not found for them', async () => {
  const owner = await newUser('Olga');
  const { user: mia } = await newUser('Mia');
  await signInAs(owner.user);
  expect((await addMember({ org: owner.org.name, email: mia.email, role: 'member' })).ok).toBe(true);

  await signInAs(mia);
  expect(await leaveOrganization({ org: owner.org.name.toUpperCase() })).toEqual({ ok: true, data: null });
  expect(await findOrgAccess(mia.id, { name: owner.org.name })).toBeNull();
  expect(await leaveOrganization({ org: owner.org.name })).toEqual({ ok: false, error: 'Not found.' });
  const events = await db.auditEvent.findMany({
    where: { orgId: owner.org.id, action: 'member.left' },
    select: { actorId: true, subjectUserId: true, details: true },
  });
  expect(events).toEqual([{ actorId: mia.id, subjectUserId: mia.id, details: JSON.stringify({ previousRole: 'member' }) }]);
});

it('lets an owner leave only while another owner remains', async () => {
  const owner = await newUser('Olga');
  const { user: oscar } = await newUser('Oscar');
  await signInAs(owner.user);
  expect(await leaveOrganization({ org: owner.org.name })).toEqual({
    ok: false,
    error: 'You are the only owner. Make another member an owner before you leave.',
  });
  expect(await findOrgAccess(owner.user.id, { name: owner.org.name })).not.toBeNull();
  expect(await db.auditEvent.count({ where: { orgId: owner.org.id, action: 'member.left' } })).toBe(0);

  expect((await addMember({ org: owner.org.name, email: oscar.email, role: 'owner' })).ok).toBe(true);
  expect(await leaveOrganization({ org: owner.org.name })).toEqual({ ok: true, data: null });
  expect(await db.membership.findMany({ where: { orgId: owner.org.id }, select: { userId: true, role: true } })).toEqual([{ userId: oscar.id, role: 'owner' }]);
});

it('keeps an owner when the two owners leave at the same moment', async () => {
  for (let round = 0; round < 5; round++) {
    const owner = await newUser('Olga');
    const { user: oscar } = await newUser('Oscar');
    await signInAs(owner.user);
    expect((await addMember({ org: owner.org.name, email: oscar.email, role: 'owner' })).ok).toBe(true);
    const results = await Promise.all([
      actingAs(owner.user, () => leaveOrganization({ org: owner.org.name })),
      actingAs(oscar, () => leaveOrganization({ org: owner.org.name })),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toEqual({ ok: false, error: 'You are the only owner. Make another member an owner before you leave.' });
    expect(await db.membership.count({ where: { orgId: owner.org.id, role: 'owner' } })).toBe(1);
  }
});
