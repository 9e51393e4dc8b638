// The organization policy "Require two-factor authentication": owners only, audited; a member
// without two-factor authentication is refused in that organization only (its actions, and
// their tokens with 403 naming the policy) until they set it up; leaving stays possible.
import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { leaveOrganization } from '@/lib/actions/leave-organization';
import { updateApp } from '@/lib/actions/update-app';
import { updateTwoFactorPolicy } from '@/lib/actions/update-two-factor-policy';
import { confirmTwoFactor } from '@/lib/actions/confirm-two-factor';
import { startTwoFactorSetup } from '@/lib/actions/start-two-factor-setup';
import { findOrgAccess } from '@/lib/auth/access';
import { membersWithoutTwoFactor } from '@/lib/data/orgs';
import { api, tokenFor } from './api-client';
import { addMember, newApp, newUser } from './fixtures';
import { signInAs, signOut } from './request';
import { enrolledUser, otherCode, secretOf } from './two-factor-fixtures';

const policyRefusal = (org: string) =>
  `${org} requires two-factor authentication (its policy "Require two-factor authentication"). Set it up under Security in your account first.`;

beforeEach(() => signOut());

it('lets only an owner with two-factor authentication require it, lists whom it affects, and audits the change', async () => {
  const plain = await newUser('Otto');
  const admin = await newUser('Ada');
  await signInAs(plain.user);
  await addMember({ org: plain.org.name, email: admin.user.email, role: 'admin' });
  // An owner without two-factor authentication cannot turn it on (it would shut them out).
  expect(await updateTwoFactorPolicy({ org: plain.org.name, require: 'on' })).toEqual({
    ok: false,
    error: 'Turn on two-factor authentication for your own account first (Security, in your user menu).',
  });
  await signInAs(admin.user);
  expect(await updateTwoFactorPolicy({ org: plain.org.name, require: 'on' })).toEqual({
    ok: false,
    error: "Only owners can change the organization's security policy.",
  });

  const owner = await enrolledUser('Orla');
  await signInAs(owner.user);
  await addMember({ org: owner.org.name, email: admin.user.email, role: 'admin' });
  const access = (await findOrgAccess(owner.user.id, { name: owner.org.name }))!;
  expect((await membersWithoutTwoFactor(access)).map((m) => m.user.email)).toEqual([admin.user.email]);
  expect(await updateTwoFactorPolicy({ org: owner.org.name, require: 'on' })).toEqual({ ok: true, data: { required: true } });
  expect(await updateTwoFactorPolicy({ org: owner.org.name, require: 'on' })).toEqual({ ok: true, data: { required: true } });
  expect(await updateTwoFactorPolicy({ org: owner.org.name, require: 'off' })).toEqual({ ok: true, data: { required: false } });
  const events = await db.auditEvent.findMany({
    where: { orgId: owner.org.id, action: 'org.two_factor_policy_changed' },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { details: true, actorId: true },
  });
  expect(events).toEqual([
    { details: JSON.stringify({ requireTwoFactor: true }), actorId: owner.user.id },
    { details: JSON.stringify({ requireTwoFactor: false }), actorId: owner.user.id },
  ]);
});

it('refuses a member without two-factor authentication in that organization only, tokens with 403, until they set it up', async () => {
  const owner = await enrolledUser('Pia');
  const app = await newApp(owner.user, owner.org.name, 'guarded-app');
  const member = await newUser('Max');
  await signInAs(owner.user);
  await addMember({ org: owner.org.name, email: member.user.email, role: 'admin' });
  const token = await tokenFor(member.user, { org: owner.org.name, scope: 'apps:write' });
  const ownToken = await tokenFor(member.user, { org: member.org.name, scope: 'apps:read' });
  await signInAs(owner.user);
  expect((await updateTwoFactorPolicy({ org: owner.org.name, require: 'on' })).ok).toBe(true);

  // The member: refused in the owner's organization, with the policy's name.
  await signInAs(member.user);
  expect(await updateApp({ appId: app.id, name: app.name, description: 'changed' })).toEqual({ ok: false, error: policyRefusal(owner.org.name) });
  const listed = await api.listApps({ token });
  expect([listed.status, listed.json]).toEqual([403, { error: policyRefusal(owner.org.name), code: 'forbidden' }]);
  const keys = await api.getKeys(app.id, { token });
  expect([keys.status, keys.json]).toEqual([403, { error: policyRefusal(owner.org.name), code: 'forbidden' }]);
  expect(keys.text).not.toMatch(/spk_/);
  // Their own organization is not affected.
  expect((await api.listApps({ token: ownToken })).status).toBe(200);
  // The owner, who has it, is not affected.
  expect((await api.listApps({ token: await tokenFor(owner.user, { org: owner.org.name, scope: 'apps:read' }) })).status).toBe(200);

  // Once the member sets it up, everything works again.
  await signInAs(member.user);
  await startTwoFactorSetup({});
  const secret = await secretOf(member.user);
  expect((await confirmTwoFactor({ code: otherCode(secret, 0) })).ok).toBe(true);
  expect((await api.listApps({ token })).status).toBe(200);
  expect((await updateApp({ appId: app.id, name: app.name, description: 'changed' })).ok).toBe(true);
});

it('still lets a member shut out by the policy leave the organization', async () => {
  const owner = await enrolledUser('Quin');
  const member = await newUser('Rae');
  await signInAs(owner.user);
  await addMember({ org: owner.org.name, email: member.user.email, role: 'member' });
  await updateTwoFactorPolicy({ org: owner.org.name, require: 'on' });
  await signInAs(member.user);
  expect(await leaveOrganization({ org: owner.org.name })).toEqual({ ok: true, data: null });
  expect(await db.membership.count({ where: { orgId: owner.org.id, userId: member.user.id } })).toBe(0);
});
