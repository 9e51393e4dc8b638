// A passkey as a second factor: the password sign-in's second step, the organization policy,
// step-up and removing the last one, against the real database and the real WebAuthn checks
// (the software authenticator of tests/support/soft-authenticator.ts answers as a browser does).
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { addPasskey } from '@/lib/actions/add-passkey';
import { beginPasskeyCheck } from '@/lib/actions/begin-passkey-check';
import { beginPasskeyRegistration } from '@/lib/actions/begin-passkey-registration';
import { beginPasskeySecondStep } from '@/lib/actions/begin-passkey-second-step';
import { reauthenticate } from '@/lib/actions/reauthenticate';
import { removePasskey } from '@/lib/actions/remove-passkey';
import { startSignIn } from '@/lib/actions/start-sign-in';
import { updateTwoFactorPolicy } from '@/lib/actions/update-two-factor-policy';
import { findOrgAccess } from '@/lib/auth/access';
import { PASSKEY_MESSAGES, SIGN_IN_ERRORS } from '@/lib/auth/messages';
import { authOptions } from '@/lib/auth/options';
import { startSession } from '@/lib/auth/sessions';
import { authorizeCredentials } from '@/lib/auth/sign-in';
import { reauthOptions } from '@/lib/auth/step-up';
import { secondFactors } from '@/lib/auth/two-factor';
import { membersWithoutTwoFactor } from '@/lib/data/orgs';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { addMember, newUser } from './fixtures';
import { request, signInAs, signOut } from './request';
import { enrolledUser, fromAddress, PASSWORD } from './two-factor-fixtures';

const HOST = 'localhost:3000';
const ORIGIN = 'http://localhost:3000';

type User = { id: string; name: string; email: string };

beforeAll(() => {
  delete process.env.NEXTAUTH_URL;
  request.headers.set('host', HOST);
});
beforeEach(() => signOut());

/** Adds a passkey through the Security page's two actions. */
async function addWith(user: User, authenticator: SoftAuthenticator) {
  await signInAs(user);
  const begun = await beginPasskeyRegistration({});
  if (!begun.ok) throw new Error(begun.error);
  const added = await addPasskey({ name: 'Laptop', response: authenticator.register(begun.data, ORIGIN) });
  if (!added.ok) throw new Error(added.error);
  signOut();
}

/** A user with one passkey and no authenticator app. */
async function passkeyUser(name: string) {
  const { user, org } = await newUser(name);
  const authenticator = new SoftAuthenticator();
  await addWith(user, authenticator);
  return { user, org, authenticator };
}

/** The first step, signed out, as the sign-in form runs it. */
async function firstStep(user: User) {
  const started = await startSignIn({ email: user.email, password: PASSWORD });
  if (!started.ok) throw new Error(started.error);
  return started.data;
}

const message = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'accepted';
  } catch (error) {
    return (error as Error).message;
  }
};

/** The second step with a passkey: a challenge for the ticket's user, answered by `authenticator`, handed to the provider. */
async function passkeyStep(ticket: string, authenticator: SoftAuthenticator, address: string) {
  const begun = await beginPasskeySecondStep({ ticket });
  if (!begun.ok) throw new Error(begun.error);
  return authorizeCredentials({ ticket, passkey: JSON.stringify(authenticator.assert(begun.data, ORIGIN)) }, address, null, new Date(), HOST);
}

describe('the password sign-in with a passkey as the second factor', () => {
  it('asks an account with passkeys only for the second step, and refuses email and password alone', async () => {
    const address = fromAddress();
    const { user } = await passkeyUser('Pat');
    expect(await secondFactors(db, user.id)).toEqual({ totp: false, passkeys: true });
    const started = await firstStep(user);
    expect(started).toMatchObject({ secondFactor: true, factors: { totp: false, passkeys: true } });
    // The ticket alone is not enough.
    expect(await message(authorizeCredentials({ ticket: started.ticket }, address, null))).toBe(SIGN_IN_ERRORS.wrongCode);
    expect(await message(authorizeCredentials({ email: user.email, password: PASSWORD }, address, null))).toBe(SIGN_IN_ERRORS.secondFactorRequired);
  });

  it('signs in with the passkey at the second step, once per ticket', async () => {
    const address = fromAddress();
    const { user, authenticator } = await passkeyUser('Quinn');
    const { ticket } = await firstStep(user);
    expect(await passkeyStep(ticket, authenticator, address)).toEqual({ id: user.id, name: user.name, email: user.email });
    expect(await message(passkeyStep(ticket, authenticator, address))).toBe('Your sign-in expired. Enter your email and password again.');
    expect(await db.passkey.findFirstOrThrow({ where: { userId: user.id }, select: { lastUsedAt: true } })).toMatchObject({ lastUsedAt: expect.any(Date) });
  });

  it("refuses another account's passkey and a stale challenge, counting them as wrong second factors", async () => {
    const address = fromAddress();
    const { user } = await passkeyUser('Rory');
    const stranger = await passkeyUser('Sid');
    const { ticket } = await firstStep(user);
    // Sid's passkey answering a challenge begun for Rory's ticket.
    expect(await message(passkeyStep(ticket, stranger.authenticator, address))).toBe(PASSKEY_MESSAGES.failed);
    // A challenge that went stale.
    const mine = (await db.passkey.findFirstOrThrow({ where: { userId: user.id }, select: { credentialId: true } })).credentialId;
    expect(mine).not.toBe(stranger.authenticator.id);
    const begun = await beginPasskeySecondStep({ ticket });
    if (!begun.ok) throw new Error(begun.error);
    await db.passkeyChallenge.update({ where: { challenge: begun.data.challenge }, data: { expiresAt: new Date(Date.now() - 1) } });
    const late = JSON.stringify(stranger.authenticator.assert(begun.data, ORIGIN));
    expect(await message(authorizeCredentials({ ticket, passkey: late }, address, null, new Date(), HOST))).toBe(PASSKEY_MESSAGES.expired);
    expect(await message(authorizeCredentials({ ticket, passkey: '{"not":"an answer"}' }, address, null, new Date(), HOST))).toBe(PASSKEY_MESSAGES.failed);
    expect(await db.authAttempt.count({ where: { kind: 'second_factor_failed', email: user.email, address } })).toBe(3);
    // A made-up ticket starts no challenge.
    expect(await beginPasskeySecondStep({ ticket: 'x'.repeat(43) })).toEqual({ ok: false, error: SIGN_IN_ERRORS.expired });
  });

  it('leads GitHub sign-in, one factor, to the second step for an account with a passkey', async () => {
    const { user } = await passkeyUser('Gwen');
    await db.user.update({ where: { id: user.id }, data: { githubId: `gh-passkey-${user.id}` } });
    const viaGitHub = authOptions().callbacks!.signIn!({
      user: { id: '', email: user.email, name: 'x' },
      account: { provider: 'github', providerAccountId: `gh-passkey-${user.id}`, type: 'oauth' },
      profile: undefined,
    });
    expect(await viaGitHub).toBe('/login?step=second-factor');
  });

  it('offers an account with both factors both, and either passes', async () => {
    const address = fromAddress();
    const { user } = await enrolledUser('Tess');
    const authenticator = new SoftAuthenticator();
    await addWith(user, authenticator);
    const started = await firstStep(user);
    expect(started).toMatchObject({ secondFactor: true, factors: { totp: true, passkeys: true } });
    expect((await passkeyStep(started.ticket, authenticator, address)).id).toBe(user.id);
  });
});

describe('the organization policy', () => {
  it('counts a member with a passkey as having two-factor authentication', async () => {
    const owner = await passkeyUser('Uma');
    const member = await newUser('Vic');
    await signInAs(owner.user);
    await addMember({ org: owner.org.name, email: member.user.email, role: 'member' });
    // An owner with a passkey only may require it.
    expect(await updateTwoFactorPolicy({ org: owner.org.name, require: 'on' })).toEqual({ ok: true, data: { required: true } });
    const access = (await findOrgAccess(owner.user.id, { name: owner.org.name }))!;
    expect(access.missingTwoFactor).toBe(false);
    expect((await membersWithoutTwoFactor(access)).map((m) => m.user.email)).toEqual([member.user.email]);
    expect((await findOrgAccess(member.user.id, { name: owner.org.name }))!.missingTwoFactor).toBe(true);

    await addWith(member.user, new SoftAuthenticator());
    expect(await membersWithoutTwoFactor(access)).toEqual([]);
    expect((await findOrgAccess(member.user.id, { name: owner.org.name }))!.missingTwoFactor).toBe(false);
  });
});

describe('step-up with a passkey', () => {
  it('offers a passkey after the code, never the password alone, and confirms the session with it', async () => {
    const { user, authenticator } = await passkeyUser('Wren');
    expect(await reauthOptions(user.id)).toEqual(['passkey']);
    const both = await enrolledUser('Xia');
    await addWith(both.user, new SoftAuthenticator());
    expect(await reauthOptions(both.user.id)).toEqual(['code', 'passkey']);

    fromAddress();
    await signInAs(user);
    const stranger = new SoftAuthenticator();
    await addWith((await newUser('Yves')).user, stranger);
    await signInAs(user);
    const foreign = await beginPasskeyCheck({});
    if (!foreign.ok) throw new Error(foreign.error);
    expect(await reauthenticate({ method: 'passkey', response: stranger.assert(foreign.data, ORIGIN) })).toEqual({ ok: false, error: PASSKEY_MESSAGES.failed });

    const begun = await beginPasskeyCheck({});
    if (!begun.ok) throw new Error(begun.error);
    expect(await reauthenticate({ method: 'passkey', response: authenticator.assert(begun.data, ORIGIN) })).toEqual({ ok: true, data: null });
    const events = await db.auditEvent.findMany({ where: { actorId: user.id, action: 'session.reauthenticated' }, select: { details: true } });
    expect(events.map((event) => JSON.parse(event.details!))).toEqual([{ method: 'passkey' }]);
  });
});

describe('removing the last passkey', () => {
  it('without an authenticator app needs the password and the passkey, then turns two-factor off: notified, other sessions ended', async () => {
    fromAddress();
    const { user, authenticator } = await passkeyUser('Zoe');
    const other = await startSession(db, user.id);
    await signInAs(user);
    const { id } = await db.passkey.findFirstOrThrow({ where: { userId: user.id }, select: { id: true } });
    const needsPasskey = 'Use your passkey too: removing your last passkey turns two-factor authentication off.';
    expect(await removePasskey({ passkeyId: id, password: PASSWORD })).toEqual({ ok: false, error: needsPasskey });

    // Not the password alone, nor the passkey without the password.
    let begun = await beginPasskeyCheck({});
    if (!begun.ok) throw new Error(begun.error);
    expect(await removePasskey({ passkeyId: id, passkey: authenticator.assert(begun.data, ORIGIN) })).toMatchObject({
      ok: false,
      error: 'Enter your password to remove your last passkey.',
    });
    begun = await beginPasskeyCheck({});
    if (!begun.ok) throw new Error(begun.error);
    expect(await removePasskey({ passkeyId: id, password: 'not it', passkey: authenticator.assert(begun.data, ORIGIN) })).toMatchObject({
      ok: false,
      error: 'The current password is not right.',
    });
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
    expect(await db.notification.count({ where: { userId: user.id, kind: 'two_factor.disabled' } })).toBe(0);
    expect(await db.userSession.findUniqueOrThrow({ where: { id: other }, select: { endedAt: true } })).toEqual({ endedAt: null });

    begun = await beginPasskeyCheck({});
    if (!begun.ok) throw new Error(begun.error);
    expect(await removePasskey({ passkeyId: id, password: PASSWORD, passkey: authenticator.assert(begun.data, ORIGIN) })).toEqual({
      ok: true,
      data: { name: 'Laptop' },
    });
    expect(await secondFactors(db, user.id)).toEqual({ totp: false, passkeys: false });
    expect(await db.notification.count({ where: { userId: user.id, kind: 'two_factor.disabled' } })).toBe(1);
    expect(await db.userSession.findUniqueOrThrow({ where: { id: other }, select: { endedReason: true } })).toEqual({ endedReason: 'two-factor-changed' });
    expect(await db.userSession.count({ where: { userId: user.id, endedAt: null } })).toBe(1);
    expect(await db.auditEvent.count({ where: { actorId: user.id, action: 'passkey.removed' } })).toBe(1);
  });

  it('with an authenticator app needs the password only: two-factor authentication stays on', async () => {
    const { user } = await enrolledUser('Abi');
    await addWith(user, new SoftAuthenticator());
    await signInAs(user);
    const { id } = await db.passkey.findFirstOrThrow({ where: { userId: user.id }, select: { id: true } });
    expect(await removePasskey({ passkeyId: id, password: PASSWORD })).toEqual({ ok: true, data: { name: 'Laptop' } });
    expect(await secondFactors(db, user.id)).toEqual({ totp: true, passkeys: false });
    expect(await db.notification.count({ where: { userId: user.id, kind: 'two_factor.disabled' } })).toBe(0);
  });
});
