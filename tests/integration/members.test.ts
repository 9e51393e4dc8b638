import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { changeMemberRole, removeMember } from '@/lib/actions/members';
import { inviteMember } from '@/lib/actions/invitations';
import { INVITATION_MESSAGES } from '@/lib/actions/member-rules';
import { addMember, newUser } from './fixtures';
import { signInAs, signOut } from './request';

beforeEach(() => signOut());

async function membershipOf(orgId: string, userId: string) {
  return db.membership.findUnique({ where: { orgId_userId: { orgId, userId } }, select: { id: true, role: true } });
}

it('lets an owner add a user by email (who accepts the invitation), change the role and remove them', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: bob } = await newUser('Bob');
  await signInAs(owner);
  expect(await addMember({ org: org.name, email: bob.email.toUpperCase(), role: 'member' })).toEqual({ ok: true, data: null });
  const membership = await membershipOf(org.id, bob.id);
  expect(membership?.role).toBe('member');

  expect(await changeMemberRole({ org: org.name, membershipId: membership!.id, role: 'admin' })).toEqual({ ok: true, data: null });
  expect((await membershipOf(org.id, bob.id))?.role).toBe('admin');

  expect(await removeMember({ org: org.name, membershipId: membership!.id })).toEqual({ ok: true, data: null });
  expect(await membershipOf(org.id, bob.id)).toBeNull();
});

it('answers an unknown address as a known one, and explains bad roles, pending invitations and members, changing nothing', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: bob } = await newUser('Bob');
  await signInAs(owner);
  const unknown = await inviteMember({ org: org.name, email: 'nobody@example.com', role: 'member' });
  const known = await inviteMember({ org: org.name, email: bob.email, role: 'member' });
  expect(unknown).toEqual({ ok: true, data: { path: expect.stringMatching(/^\/invite\/spi_\w{36}$/), email: 'nobody@example.com' } });
  expect(known).toEqual({ ok: true, data: { path: expect.stringMatching(/^\/invite\/spi_\w{36}$/), email: bob.email } });
  expect(await inviteMember({ org: org.name, email: bob.email, role: 'superuser' })).toMatchObject({
    ok: false,
    error: 'Role must be owner, admin, member or viewer.',
  });
  expect(await inviteMember({ org: org.name, email: bob.email.toUpperCase(), role: 'admin' })).toMatchObject({ ok: false, error: INVITATION_MESSAGES.pending });
  expect(await membershipOf(org.id, bob.id)).toBeNull();
  expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(2);

  await db.invitation.deleteMany({ where: { orgId: org.id, email: bob.email } });
  expect(await addMember({ org: org.name, email: bob.email, role: 'member' })).toEqual({ ok: true, data: null });
  expect(await inviteMember({ org: org.name, email: bob.email, role: 'admin' })).toMatchObject({ ok: false, error: INVITATION_MESSAGES.alreadyMember });
  expect((await membershipOf(org.id, bob.id))?.role).toBe('member');
});

it('keeps at least one owner, and keeps the owner role to owners', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: admin } = await newUser('Ada');
  await signInAs(owner);
  await addMember({ org: org.name, email: admin.email, role: 'admin' });
  const ownerMembership = await membershipOf(org.id, owner.id);
  expect(await changeMemberRole({ org: org.name, membershipId: ownerMembership!.id, role: 'member' })).toMatchObject({
    ok: false,
    error: 'An organization needs at least one owner.',
  });
  expect(await removeMember({ org: org.name, membershipId: ownerMembership!.id })).toMatchObject({
    ok: false,
    error: 'An organization needs at least one owner.',
  });

  await signInAs(admin);
  const adminMembership = await membershipOf(org.id, admin.id);
  expect(await changeMemberRole({ org: org.name, membershipId: adminMembership!.id, role: 'owner' })).toMatchObject({
    ok: false,
    error: 'Only owners can grant or change the owner role.',
  });
  expect(await removeMember({ org: org.name, membershipId: ownerMembership!.id })).toMatchObject({
    ok: false,
    error: 'Only owners can grant or change the owner role.',
  });
  expect((await membershipOf(org.id, owner.id))?.role).toBe('owner');
  expect((await membershipOf(org.id, admin.id))?.role).toBe('admin');
});

it('refuses members and answers "not found" to outsiders', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: member } = await newUser('Max');
  const { user: outsider } = await newUser('Eve');
  await signInAs(owner);
  await addMember({ org: org.name, email: member.email, role: 'member' });
  const ownerMembership = await membershipOf(org.id, owner.id);

  await signInAs(member);
  expect(await addMember({ org: org.name, email: outsider.email, role: 'admin' })).toEqual({ ok: false, error: 'Only owners and admins can manage members.' });
  await signInAs(outsider);
  expect(await addMember({ org: org.name, email: outsider.email, role: 'owner' })).toEqual({ ok: false, error: 'Not found.' });
  expect(await removeMember({ org: org.name, membershipId: ownerMembership!.id })).toEqual({ ok: false, error: 'Not found.' });
  expect(await membershipOf(org.id, outsider.id)).toBeNull();
  expect(await db.membership.count({ where: { orgId: org.id } })).toBe(2);
});

it("cannot reach a membership of another organization through one's own", async () => {
  const a = await newUser('Olivia');
  const b = await newUser('Bob');
  const bOwner = await membershipOf(b.org.id, b.user.id);
  await signInAs(a.user);
  expect(await removeMember({ org: a.org.name, membershipId: bOwner!.id })).toEqual({ ok: false, error: 'Not found.' });
  expect(await membershipOf(b.org.id, b.user.id)).not.toBeNull();
});
