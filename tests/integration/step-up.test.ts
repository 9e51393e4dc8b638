// Step-up: the sensitive actions refuse a session whose last authentication is older than
// STEP_UP_WINDOW_SECONDS (600 by default) with `reauth_required` and change nothing; after
// `reauthenticate` they run. The management API, whose token is its own credential, never asks.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { createUserWithOrg } from '@/lib/auth/accounts';
import { ACCOUNT_PROTECTION } from '@/lib/auth/attempts';
import { reauthOptions } from '@/lib/auth/step-up';
import { deleteApp } from '@/lib/actions/delete-app';
import { changeMemberRole, removeMember } from '@/lib/actions/members';
import { reauthenticate } from '@/lib/actions/reauthenticate';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { createToken } from '@/lib/actions/tokens';
import { api, tokenFor } from './api-client';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { signInAs, signOut } from './request';

beforeEach(() => signOut());

const PASSWORD = 'correct horse battery';
const REAUTH_REQUIRED = { ok: false, error: 'Confirm it’s you to continue: this needs a recent sign-in.', code: 'reauth_required' };
const MINUTE = 60_000;

/** Makes every session of the user look as if it signed in `minutes` ago: no waiting. */
async function ageSessions(user: { id: string }, minutes: number) {
  await db.userSession.updateMany({ where: { userId: user.id }, data: { authenticatedAt: new Date(Date.now() - minutes * MINUTE) } });
}

/** An owner with an app, a second member (Bob), signed in as the owner on a session 11 minutes old. */
async function agedOwner() {
  const { user: owner, org } = await newUser('Olivia');
  const { user: bob } = await newUser('Bob');
  const app = await newApp(owner, org.name);
  await signInAs(owner);
  expect((await addMember({ org: org.name, email: bob.email, role: 'member' })).ok).toBe(true);
  const membership = await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: org.id, userId: bob.id } }, select: { id: true } });
  await ageSessions(owner, 11);
  return { owner, bob, org, app, membershipId: membership.id };
}

/** Each sensitive action, called with valid input. */
function sensitiveActions(setup: Awaited<ReturnType<typeof agedOwner>>) {
  const { org, app, membershipId } = setup;
  return {
    regenerate: () => regenerateApiKey({ appId: app.id, slot: 2 }),
    createToken: () => createToken({ name: 'ci', org: org.name, scope: 'apps:read', expiration: '7' }),
    changeRole: () => changeMemberRole({ org: org.name, membershipId, role: 'admin' }),
    removeMember: () => removeMember({ org: org.name, membershipId }),
    deleteApp: () => deleteApp({ appId: app.id, confirmName: app.name }),
  };
}

/** What those actions change: the keys, the owner's tokens, Bob's membership, the app, the audit trail. */
async function snapshot(setup: Awaited<ReturnType<typeof agedOwner>>) {
  const { owner, bob, org, app } = setup;
  return {
    keys: await db.apiKey.findMany({ where: { appId: app.id }, select: { id: true, digest: true }, orderBy: { slot: 'asc' } }),
    tokens: await db.personalAccessToken.count({ where: { userId: owner.id } }),
    bob: await db.membership.findUnique({ where: { orgId_userId: { orgId: org.id, userId: bob.id } }, select: { role: true } }),
    app: await db.app.count({ where: { id: app.id } }),
    audit: await db.auditEvent.count({ where: { actorId: owner.id } }),
  };
}

describe('on a session whose last authentication is older than the window', () => {
  it('refuses every sensitive action with reauth_required and changes nothing', async () => {
    const setup = await agedOwner();
    const before = await snapshot(setup);
    for (const [name, run] of Object.entries(sensitiveActions(setup))) {
      expect(await run(), name).toEqual(REAUTH_REQUIRED);
    }
    expect(await snapshot(setup)).toEqual(before);
  });

  it('runs each of them after reauthenticate with the password, and audits the re-authentication', async () => {
    const setup = await agedOwner();
    const keysBefore = await currentKeys(setup.app.id);
    expect(await reauthenticate({ method: 'password', password: PASSWORD })).toEqual({ ok: true, data: null });
    const event = await db.auditEvent.findFirstOrThrow({ where: { actorId: setup.owner.id, action: 'session.reauthenticated' } });
    expect([event.orgId, event.details, event.ip]).toEqual([null, JSON.stringify({ method: 'password' }), '203.0.113.7']);

    const actions = sensitiveActions(setup);
    expect(await actions.regenerate()).toMatchObject({ ok: true });
    expect((await currentKeys(setup.app.id))[2]).not.toBe(keysBefore[2]);
    expect(await actions.createToken()).toMatchObject({ ok: true, data: { name: 'ci' } });
    expect(await actions.changeRole()).toEqual({ ok: true, data: null });
    expect((await snapshot(setup)).bob).toEqual({ role: 'admin' });
    expect(await actions.removeMember()).toEqual({ ok: true, data: null });
    expect(await actions.deleteApp()).toMatchObject({ ok: true });
    expect(await snapshot(setup)).toMatchObject({ tokens: 1, bob: null, app: 0 });
  });

  it('marks only this session: another session of the same user is still asked', async () => {
    const setup = await agedOwner();
    expect((await reauthenticate({ method: 'password', password: PASSWORD })).ok).toBe(true);
    await signInAs(setup.owner);
    await ageSessions(setup.owner, 11);
    // The new cookie's session was aged with the others; reauthenticating the first one did not help it.
    expect(await sensitiveActions(setup).regenerate()).toEqual(REAUTH_REQUIRED);
  });
});

it('lets a session within the window act without asking, and asks once it has passed', async () => {
  const setup = await agedOwner();
  await ageSessions(setup.owner, 9);
  expect(await sensitiveActions(setup).regenerate()).toMatchObject({ ok: true });
  await ageSessions(setup.owner, 10.5);
  expect(await sensitiveActions(setup).regenerate()).toEqual(REAUTH_REQUIRED);
});

it('answers invalid input and a missing permission as before, without asking to re-authenticate', async () => {
  const setup = await agedOwner();
  expect(await createToken({ name: '', org: setup.org.name, scope: 'apps:read', expiration: '7' })).toMatchObject({
    ok: false,
    fieldErrors: { name: ['Enter a name for the token.'] },
  });
  // Bob, a member on an old session, may not regenerate: he is told so, not asked for his password.
  await signInAs(setup.bob);
  await ageSessions(setup.bob, 60);
  const refused = await regenerateApiKey({ appId: setup.app.id, slot: 1 });
  expect(refused).toMatchObject({ ok: false });
  expect(refused).not.toHaveProperty('code');
});

describe('reauthenticate', () => {
  it('refuses a wrong password inline, and the session stays unconfirmed', async () => {
    const setup = await agedOwner();
    expect(await reauthenticate({ method: 'password', password: 'wrong password' })).toEqual({
      ok: false,
      error: 'That password is not right.',
      fieldErrors: { password: ['That password is not right.'] },
    });
    expect(await reauthenticate({ method: 'password', password: '' })).toMatchObject({ ok: false, fieldErrors: { password: ['Enter your password.'] } });
    expect(await reauthenticate({ method: 'telepathy' })).toMatchObject({ ok: false });
    expect(await sensitiveActions(setup).regenerate()).toEqual(REAUTH_REQUIRED);
    expect(await db.auditEvent.count({ where: { actorId: setup.owner.id, action: 'session.reauthenticated' } })).toBe(0);
  });

  it('counts wrong passwords with the sign-in limiter: after too many, even the right one is refused with the sign-in wording', async () => {
    const setup = await agedOwner();
    for (let i = 0; i < ACCOUNT_PROTECTION.maxFailures; i += 1) {
      expect(await reauthenticate({ method: 'password', password: `wrong ${i}` })).toMatchObject({ ok: false, error: 'That password is not right.' });
    }
    expect(await reauthenticate({ method: 'password', password: PASSWORD })).toEqual({
      ok: false,
      error: 'Too many failed sign-in attempts for this account from your network. Try again in 15 minutes.',
    });
    expect(await sensitiveActions(setup).regenerate()).toEqual(REAUTH_REQUIRED);
    // They are the sign-in's own counts: this address may not sign in to the account either.
    expect(await db.authAttempt.count({ where: { kind: 'sign_in_failed', email: setup.owner.email } })).toBe(ACCOUNT_PROTECTION.maxFailures);
  });

  it('needs a session, and offers a GitHub-only account no password', async () => {
    expect(await reauthenticate({ method: 'password', password: PASSWORD })).toEqual({ ok: false, error: 'You are signed out. Sign in again.' });
    const github = await createUserWithOrg(db, { name: 'Gus', email: `gus-${Date.now()}@example.com`, githubId: `gh-${Date.now()}` });
    const user = await db.user.findUniqueOrThrow({ where: { id: github.userId }, select: { id: true, name: true, email: true } });
    await signInAs(user);
    // GitHub sign-in is not configured in the tests: nothing to offer but signing in again.
    expect(await reauthOptions(user.id)).toEqual([]);
    expect(await reauthenticate({ method: 'password', password: '' })).toMatchObject({ ok: false });
    expect(await reauthenticate({ method: 'password', password: 'anything at all' })).toMatchObject({ ok: false, error: 'That password is not right.' });
    const { user: alice } = await newUser('Alice');
    expect(await reauthOptions(alice.id)).toEqual(['password']);
  });
});

it('leaves the management API alone: a token regenerates a key whatever the age of its maker’s sessions', async () => {
  const { user, org } = await newUser('Tess');
  const app = await newApp(user, org.name);
  const token = await tokenFor(user, { org: org.name, scope: 'apps:write', name: 'ci-rotate' });
  await ageSessions(user, 24 * 60);
  const before = await currentKeys(app.id);
  const res = await api.regenerate(app.id, { token });
  expect(res.status).toBe(200);
  expect((await currentKeys(app.id))[1]).not.toBe(before[1]);
});
