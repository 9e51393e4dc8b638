// Membership changes made at the same moment, on a real database (SQLite file or PostgreSQL):
// an organization never loses its last owner, a double invitation answers "pending", and an
// invitation accepted twice at once adds the member once.
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { changeMemberRole, removeMember } from '@/lib/actions/members';
import { acceptInvitation, inviteMember } from '@/lib/actions/invitations';
import { INVITATION_MESSAGES } from '@/lib/actions/member-rules';
import { addMember, newUser, tokenOf } from './fixtures';
import { actingAs, signInAs, signOut } from './request';

beforeEach(() => signOut());

async function twoOwners() {
  const first = await newUser('Olivia');
  const { user: second } = await newUser('Oscar');
  await signInAs(first.user);
  expect(await addMember({ org: first.org.name, email: second.email, role: 'owner' })).toEqual({ ok: true, data: null });
  const memberships = await db.membership.findMany({ where: { orgId: first.org.id }, select: { id: true, userId: true } });
  const idOf = (userId: string) => memberships.find((m) => m.userId === userId)!.id;
  return { org: first.org, a: first.user, b: second, aMembership: idOf(first.user.id), bMembership: idOf(second.id) };
}

const owners = (orgId: string) => db.membership.count({ where: { orgId, role: 'owner' } });

it('keeps an owner when two owners demote each other at the same moment', async () => {
  for (let round = 0; round < 5; round++) {
    const { org, a, b, aMembership, bMembership } = await twoOwners();
    const results = await Promise.all([
      actingAs(a, () => changeMemberRole({ org: org.name, membershipId: bMembership, role: 'member' })),
      actingAs(b, () => changeMemberRole({ org: org.name, membershipId: aMembership, role: 'member' })),
    ]);
    expect(await owners(org.id)).toBe(1);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ ok: false });
    // The refusal is a clear one: the last owner, or no longer allowed (the caller was demoted first).
    const refusal = results.find((r) => !r.ok) as { error: string };
    expect(['An organization needs at least one owner.', 'Only owners and admins can manage members.']).toContain(refusal.error);
  }
});

it('keeps an owner when two owners remove each other at the same moment', async () => {
  for (let round = 0; round < 5; round++) {
    const { org, a, b, aMembership, bMembership } = await twoOwners();
    const results = await Promise.all([
      actingAs(a, () => removeMember({ org: org.name, membershipId: bMembership })),
      actingAs(b, () => removeMember({ org: org.name, membershipId: aMembership })),
    ]);
    expect(await owners(org.id)).toBe(1);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(JSON.stringify(results)).not.toContain('Something went wrong');
  }
});

it('answers "pending" to the other simultaneous invitations of one address, and adds the member once when the link is accepted twice at once', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: bob } = await newUser('Bob');
  const results = await Promise.all(Array.from({ length: 4 }, () => actingAs(owner, () => inviteMember({ org: org.name, email: bob.email, role: 'member' }))));
  const invited = results.filter((r) => r.ok);
  expect(invited).toHaveLength(1);
  for (const result of results.filter((r) => !r.ok)) {
    expect(result).toEqual({ ok: false, error: INVITATION_MESSAGES.pending, fieldErrors: { email: [INVITATION_MESSAGES.pending] } });
  }
  const token = tokenOf(invited[0]!.ok ? invited[0]!.data.path : '');
  const accepts = await Promise.all(Array.from({ length: 3 }, () => actingAs(bob, () => acceptInvitation({ token }))));
  expect(accepts.filter((r) => r.ok)).toHaveLength(1);
  for (const result of accepts.filter((r) => !r.ok)) expect(result).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
  expect(await db.membership.count({ where: { orgId: org.id, userId: bob.id } })).toBe(1);
  expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'member.added', subjectUserId: bob.id } })).toBe(1);
  expect(await db.auditEvent.count({ where: { orgId: org.id, action: 'invitation.created' } })).toBe(1);
});
