// Members join by invitation: an owner or admin invites an address with a role; the account with
// that address accepts (or declines) the link once, within 7 days. Only a digest of the link's
// token is stored; every step is audited in its own transaction.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { acceptInvitation, declineInvitation, inviteMember, resendInvitation, revokeInvitation } from '@/lib/actions/invitations';
import { changeMemberRole } from '@/lib/actions/members';
import { INVITATION_MESSAGES } from '@/lib/actions/member-rules';
import { REFUSALS } from '@/lib/auth/permissions';
import { listInvitationsFor, listOrgInvitations } from '@/lib/data/invitations';
import { findOrgAccess } from '@/lib/auth/access';
import { addMember, newUser, tokenOf } from './fixtures';
import { INVITATION_COOKIE } from '@/lib/auth/invitation-cookie';
import { actingAs, request, signInAs, signOut } from './request';

beforeEach(() => signOut());

type Person = { id: string; name: string; email: string };

/** Invites the address as `inviter`; the link's token. */
async function invite(inviter: Person, org: string, email: string, role = 'member') {
  const result = await actingAs(inviter, () => inviteMember({ org, email, role }));
  if (!result.ok) throw new Error(result.error);
  return tokenOf(result.data.path);
}

const roleOf = async (orgId: string, userId: string) =>
  (await db.membership.findUnique({ where: { orgId_userId: { orgId, userId } }, select: { role: true } }))?.role ?? null;

const eventsOf = (orgId: string, action: string) =>
  db.auditEvent.findMany({ where: { orgId, action }, orderBy: { createdAt: 'asc' }, select: { actorId: true, subjectUserId: true, details: true, ip: true } });

describe('accepting', () => {
  it('adds the invitee with the role, uses the invitation up, and records both steps', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    const token = await invite(owner, org.name, bob.email.toUpperCase(), 'admin');
    expect(await roleOf(org.id, bob.id)).toBeNull();

    expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: true, data: { org: org.name, role: 'admin' } });
    expect(await roleOf(org.id, bob.id)).toBe('admin');
    expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(0);
    expect(await eventsOf(org.id, 'invitation.created')).toEqual([
      { actorId: owner.id, subjectUserId: null, details: JSON.stringify({ email: bob.email, role: 'admin' }), ip: '203.0.113.7' },
    ]);
    expect(await eventsOf(org.id, 'member.added')).toEqual([{ actorId: bob.id, subjectUserId: bob.id, details: '{"role":"admin"}', ip: '203.0.113.7' }]);
  });

  it('works once: a second acceptance of the same link is refused and changes nothing', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    const token = await invite(owner, org.name, bob.email);
    expect((await actingAs(bob, () => acceptInvitation({ token }))).ok).toBe(true);
    await actingAs(owner, async () => {
      const membership = await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: org.id, userId: bob.id } }, select: { id: true } });
      expect((await changeMemberRole({ org: org.name, membershipId: membership.id, role: 'viewer' })).ok).toBe(true);
    });
    expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await actingAs(bob, () => declineInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await roleOf(org.id, bob.id)).toBe('viewer');
    expect(await eventsOf(org.id, 'member.added')).toHaveLength(1);
  });

  it('refuses an expired invitation, which can be resent or replaced by a new one', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    const token = await invite(owner, org.name, bob.email);
    await db.invitation.updateMany({ where: { orgId: org.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await actingAs(bob, () => declineInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await listInvitationsFor(bob)).toEqual([]);
    expect(await roleOf(org.id, bob.id)).toBeNull();

    // Still listed on Members, and a new invitation of the address replaces it.
    const access = (await findOrgAccess(owner.id, { id: org.id }))!;
    expect((await listOrgInvitations(access)).map((i) => i.email)).toEqual([bob.email]);
    const fresh = await invite(owner, org.name, bob.email, 'viewer');
    expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(1);
    expect(await actingAs(bob, () => acceptInvitation({ token: fresh }))).toEqual({ ok: true, data: { org: org.name, role: 'viewer' } });
  });

  it('is valid for 7 days', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const before = Date.now();
    await invite(owner, org.name, 'someone@example.com');
    const { expiresAt } = await db.invitation.findFirstOrThrow({ where: { orgId: org.id }, select: { expiresAt: true } });
    expect(expiresAt.getTime() - before).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000 - 1000);
    expect(expiresAt.getTime() - before).toBeLessThanOrEqual(7 * 24 * 3600 * 1000 + 5000);
  });

  it('refuses another account, with a message saying so, and leaves the invitation for its invitee', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    const { user: eve } = await newUser('Eve');
    const token = await invite(owner, org.name, bob.email);
    expect(await actingAs(eve, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.wrongAccount(eve.email) });
    expect(await actingAs(eve, () => declineInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.wrongAccount(eve.email) });
    const { id } = await db.invitation.findFirstOrThrow({ where: { orgId: org.id }, select: { id: true } });
    expect(await actingAs(eve, () => acceptInvitation({ invitationId: id }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await roleOf(org.id, eve.id)).toBeNull();
    expect(await eventsOf(org.id, 'member.added')).toEqual([]);
    expect((await actingAs(bob, () => acceptInvitation({ token }))).ok).toBe(true);
  });

  it('refuses a made-up or mistyped link without a database lookup of it', async () => {
    const { user: bob } = await newUser('Bob');
    for (const token of ['spi_nope', `spi_${'a'.repeat(36)}`, 'spt_' + 'x'.repeat(36)]) {
      expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    }
  });

  it('lets an account that had the address see the invitation and accept it without the link; one made later needs the link', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    await invite(owner, org.name, bob.email, 'member');
    const [listed] = await listInvitationsFor(bob);
    expect(listed).toMatchObject({ role: 'member', org: { name: org.name }, invitedBy: { name: 'Olivia' } });
    expect(await actingAs(bob, () => acceptInvitation({ invitationId: listed!.id }))).toEqual({ ok: true, data: { org: org.name, role: 'member' } });

    // Invited before the account existed: not in its list (nothing proves the address is theirs), the link works.
    const email = `later-${Date.now()}@example.com`;
    const token = await invite(owner, org.name, email, 'viewer');
    const { signUp } = await import('@/lib/actions/sign-up');
    expect((await signUp({ name: 'Lara', email, password: 'correct horse battery' })).ok).toBe(true);
    const lara = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, name: true, email: true } });
    expect(await listInvitationsFor(lara)).toEqual([]);
    const { id } = await db.invitation.findFirstOrThrow({ where: { orgId: org.id, email }, select: { id: true } });
    expect(await actingAs(lara, () => acceptInvitation({ invitationId: id }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await actingAs(lara, () => acceptInvitation({ token }))).toEqual({ ok: true, data: { org: org.name, role: 'viewer' } });
  });
});

describe('declining', () => {
  it('uses the invitation up without adding the member, and records it', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    const token = await invite(owner, org.name, bob.email, 'admin');
    // As in the browser: the link left its token in the invitation page's cookie, which answering clears.
    await signInAs(bob);
    request.cookies.set(INVITATION_COOKIE, token);
    expect(await declineInvitation({ token })).toEqual({ ok: true, data: { org: org.name } });
    expect(request.cookies.has(INVITATION_COOKIE)).toBe(false);
    expect(await roleOf(org.id, bob.id)).toBeNull();
    expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await eventsOf(org.id, 'invitation.declined')).toEqual([
      { actorId: bob.id, subjectUserId: bob.id, details: JSON.stringify({ email: bob.email, role: 'admin' }), ip: '203.0.113.7' },
    ]);
  });
});

describe('managing invitations', () => {
  it('answers an unknown and a known address alike, and stores no token', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    await signInAs(owner);
    const known = await inviteMember({ org: org.name, email: bob.email, role: 'member' });
    const unknown = await inviteMember({ org: org.name, email: 'nobody-here@example.com', role: 'member' });
    expect(known.ok && unknown.ok).toBe(true);
    if (!known.ok || !unknown.ok) return;
    expect(Object.keys(known.data)).toEqual(Object.keys(unknown.data));
    expect(known.data.path).not.toBe(unknown.data.path);
    const stored = JSON.stringify(await db.invitation.findMany({ where: { orgId: org.id } }));
    const audited = JSON.stringify(await db.auditEvent.findMany({ where: { orgId: org.id } }));
    for (const path of [known.data.path, unknown.data.path]) {
      expect(stored).not.toContain(tokenOf(path));
      expect(audited).not.toContain(tokenOf(path));
    }
    expect(stored).not.toContain('spi_');
  });

  it('resends with a new link and a new expiry: the old link stops working', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: admin } = await newUser('Ada');
    const { user: bob } = await newUser('Bob');
    await signInAs(owner);
    expect((await addMember({ org: org.name, email: admin.email, role: 'admin' })).ok).toBe(true);
    const old = await invite(owner, org.name, bob.email);
    const { id } = await db.invitation.findFirstOrThrow({ where: { orgId: org.id }, select: { id: true } });
    await db.invitation.update({ where: { id }, data: { expiresAt: new Date(Date.now() + 1000) } });

    const resent = await actingAs(admin, () => resendInvitation({ org: org.name, invitationId: id }));
    expect(resent).toEqual({ ok: true, data: { path: expect.stringMatching(/^\/invite\/spi_/), email: bob.email } });
    const row = await db.invitation.findUniqueOrThrow({ where: { id }, select: { expiresAt: true, invitedById: true } });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect(row.invitedById).toBe(admin.id);
    expect(await actingAs(bob, () => acceptInvitation({ token: old }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await eventsOf(org.id, 'invitation.resent')).toEqual([
      { actorId: admin.id, subjectUserId: null, details: JSON.stringify({ email: bob.email, role: 'member' }), ip: '203.0.113.7' },
    ]);
    expect((await actingAs(bob, () => acceptInvitation({ token: tokenOf(resent.ok ? resent.data.path : '') }))).ok).toBe(true);
    expect(await roleOf(org.id, bob.id)).toBe('member');
  });

  it('revokes: the link stops working at once, and the revocation is recorded', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: bob } = await newUser('Bob');
    const token = await invite(owner, org.name, bob.email);
    const { id } = await db.invitation.findFirstOrThrow({ where: { orgId: org.id }, select: { id: true } });
    expect(await actingAs(owner, () => revokeInvitation({ org: org.name, invitationId: id }))).toEqual({ ok: true, data: null });
    expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await listInvitationsFor(bob)).toEqual([]);
    expect(await actingAs(owner, () => revokeInvitation({ org: org.name, invitationId: id }))).toEqual({ ok: false, error: 'Not found.' });
    expect(await eventsOf(org.id, 'invitation.revoked')).toEqual([
      { actorId: owner.id, subjectUserId: null, details: JSON.stringify({ email: bob.email, role: 'member' }), ip: '203.0.113.7' },
    ]);
  });

  it('keeps the owner rules: only owners invite owners or resend and revoke their invitations; members and outsiders may not invite', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: admin } = await newUser('Ada');
    const { user: member } = await newUser('Max');
    const { user: outsider } = await newUser('Eve');
    await signInAs(owner);
    expect((await addMember({ org: org.name, email: admin.email, role: 'admin' })).ok).toBe(true);
    expect((await addMember({ org: org.name, email: member.email, role: 'member' })).ok).toBe(true);
    await invite(owner, org.name, 'future-owner@example.com', 'owner');
    const { id } = await db.invitation.findFirstOrThrow({ where: { orgId: org.id }, select: { id: true } });

    const grantOwner = { ok: false, error: REFUSALS['member:grant-owner'] };
    expect(await actingAs(admin, () => inviteMember({ org: org.name, email: 'x@example.com', role: 'owner' }))).toEqual(grantOwner);
    expect(await actingAs(admin, () => resendInvitation({ org: org.name, invitationId: id }))).toEqual(grantOwner);
    expect(await actingAs(admin, () => revokeInvitation({ org: org.name, invitationId: id }))).toEqual(grantOwner);
    expect(await actingAs(member, () => inviteMember({ org: org.name, email: 'x@example.com', role: 'viewer' }))).toEqual({
      ok: false,
      error: REFUSALS['member:manage'],
    });
    expect(await actingAs(member, () => revokeInvitation({ org: org.name, invitationId: id }))).toEqual({ ok: false, error: REFUSALS['member:manage'] });
    expect(await actingAs(outsider, () => inviteMember({ org: org.name, email: outsider.email, role: 'owner' }))).toEqual({ ok: false, error: 'Not found.' });
    expect(await actingAs(outsider, () => revokeInvitation({ org: org.name, invitationId: id }))).toEqual({ ok: false, error: 'Not found.' });
    // An admin may invite the other roles.
    expect((await actingAs(admin, () => inviteMember({ org: org.name, email: 'x@example.com', role: 'admin' }))).ok).toBe(true);
    expect(await db.invitation.count({ where: { orgId: org.id } })).toBe(2);
    expect(await eventsOf(org.id, 'invitation.created')).toHaveLength(4);
  });

  it("ends an invitation's use when its inviter may no longer grant the role", async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: admin } = await newUser('Ada');
    const { user: bob } = await newUser('Bob');
    await signInAs(owner);
    expect((await addMember({ org: org.name, email: admin.email, role: 'admin' })).ok).toBe(true);
    const token = await invite(admin, org.name, bob.email, 'admin');
    const membership = await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: org.id, userId: admin.id } }, select: { id: true } });
    expect((await changeMemberRole({ org: org.name, membershipId: membership.id, role: 'member' })).ok).toBe(true);
    expect(await actingAs(bob, () => acceptInvitation({ token }))).toEqual({ ok: false, error: INVITATION_MESSAGES.invalid });
    expect(await roleOf(org.id, bob.id)).toBeNull();
  });
});
