// Every security-relevant change leaves one audit event, written with the change: who, what,
// which app, key, member or token, and from which address.
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { changeMemberRole, removeMember } from '@/lib/actions/members';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { createToken, revokeToken } from '@/lib/actions/tokens';
import { addMember, newApp, newUser } from './fixtures';
import { signInAs, signOut } from './request';

beforeEach(() => signOut());

const eventsOf = (orgId: string) =>
  db.auditEvent.findMany({
    where: { orgId },
    orderBy: { createdAt: 'asc' },
    select: { action: true, actorId: true, appId: true, slot: true, subjectUserId: true, tokenId: true, details: true, ip: true, userAgent: true },
  });

it('records app creation, key regeneration and each membership change, with who and from where', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: bob } = await newUser('Bob');
  const app = await newApp(owner, org.name, 'audited-app');
  await signInAs(owner);
  expect((await regenerateApiKey({ appId: app.id, slot: 2 })).ok).toBe(true);
  expect((await addMember({ org: org.name, email: bob.email, role: 'member' })).ok).toBe(true);
  const membership = await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: org.id, userId: bob.id } }, select: { id: true } });
  expect((await changeMemberRole({ org: org.name, membershipId: membership.id, role: 'admin' })).ok).toBe(true);
  expect((await removeMember({ org: org.name, membershipId: membership.id })).ok).toBe(true);

  const from = { actorId: owner.id, ip: '203.0.113.7', userAgent: 'vitest' };
  expect(await eventsOf(org.id)).toEqual([
    // The personal organization made at sign-up.
    { ...from, action: 'org.created', appId: null, slot: null, subjectUserId: null, tokenId: null, details: '{"personal":true}' },
    { ...from, action: 'app.created', appId: app.id, slot: null, subjectUserId: null, tokenId: null, details: null },
    { ...from, action: 'api_key.regenerated', appId: app.id, slot: 2, subjectUserId: null, tokenId: null, details: null },
    // The owner invites; Bob accepts, which adds him (the address is in the invitation's event, no account is named).
    { ...from, action: 'invitation.created', appId: null, slot: null, subjectUserId: null, tokenId: null, details: `{"email":"${bob.email}","role":"member"}` },
    { ...from, actorId: bob.id, action: 'member.added', appId: null, slot: null, subjectUserId: bob.id, tokenId: null, details: '{"role":"member"}' },
    {
      ...from,
      action: 'member.role_changed',
      appId: null,
      slot: null,
      subjectUserId: bob.id,
      tokenId: null,
      details: '{"role":"admin","previousRole":"member"}',
    },
    { ...from, action: 'member.removed', appId: null, slot: null, subjectUserId: bob.id, tokenId: null, details: '{"previousRole":"admin"}' },
  ]);
});

it('records token creation and revocation, and nothing for a refused change', async () => {
  const { user: owner, org } = await newUser('Olivia');
  const { user: max } = await newUser('Max');
  await signInAs(owner);
  const created = await createToken({ name: 'ci-rotate', org: org.name, scope: 'apps:write', expiration: '30' });
  expect(created.ok).toBe(true);
  const token = await db.personalAccessToken.findFirstOrThrow({ where: { userId: owner.id, name: 'ci-rotate' }, select: { id: true } });
  expect((await revokeToken({ tokenId: token.id })).ok).toBe(true);
  expect((await revokeToken({ tokenId: token.id })).ok).toBe(false);

  await signInAs(max);
  expect(await addMember({ org: org.name, email: max.email, role: 'owner' })).toEqual({ ok: false, error: 'Not found.' });

  const events = await eventsOf(org.id);
  expect(events.map((e) => [e.action, e.tokenId, e.actorId])).toEqual([
    ['org.created', null, owner.id],
    ['token.created', token.id, owner.id],
    ['token.revoked', token.id, owner.id],
  ]);
  expect(JSON.stringify(events)).not.toMatch(/spt_/);
});
