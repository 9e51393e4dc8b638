// Two-factor authentication: enrolling an authenticator app, recovery codes, the second sign-in
// step with its single-use ticket, the replay guard, the wrong-code limits, turning it off, and
// the audit rows. Codes are computed from the secret as an authenticator app would (otpauth).
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { confirmTwoFactor } from '@/lib/actions/confirm-two-factor';
import { disableTwoFactor } from '@/lib/actions/disable-two-factor';
import { regenerateRecoveryCodes } from '@/lib/actions/regenerate-recovery-codes';
import { startSignIn } from '@/lib/actions/start-sign-in';
import { startTwoFactorSetup } from '@/lib/actions/start-two-factor-setup';
import { ACCOUNT_PROTECTION } from '@/lib/auth/attempts';
import { authorizeCredentials, SIGN_IN_TICKET } from '@/lib/auth/sign-in';
import { hasSecondFactor, twoFactorState, verifySecondFactor } from '@/lib/auth/two-factor';
import { newUser } from './fixtures';
import { signInAs, signOut } from './request';
import { codeAt, enrolledUser, fromAddress, otherCode, PASSWORD, secretOf } from './two-factor-fixtures';

const WRONG = "That code didn't work. Try again or use a recovery code.";
const EXPIRED = 'Your sign-in expired. Enter your email and password again.';
async function auditActions(userId: string): Promise<string[]> {
  const rows = await db.auditEvent.findMany({
    where: { subjectUserId: userId },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: { action: true, orgId: true },
  });
  for (const row of rows) expect(row.orgId).toBeNull();
  return rows.map((row) => row.action);
}

const message = async (promise: Promise<unknown>) => {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
};

beforeEach(() => signOut());

describe('enrolling an authenticator app', () => {
  it('stays pending until a code confirms it, then gives 10 single-use recovery codes stored as digests only', async () => {
    fromAddress();
    const { user } = await newUser('Tia');
    await signInAs(user);
    await startTwoFactorSetup({});
    const secret = await secretOf(user);
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    // Stored encrypted, never in the clear; not yet a second factor.
    const row = await db.twoFactor.findUniqueOrThrow({ where: { userId: user.id }, select: { ciphertext: true, confirmedAt: true } });
    expect(row.ciphertext).toMatch(/^v1\./);
    expect(row.ciphertext).not.toContain(secret);
    expect(row.confirmedAt).toBeNull();
    expect(await hasSecondFactor(db, user.id)).toBe(false);

    // A wrong code changes nothing.
    const wrong = await confirmTwoFactor({ code: '000000' === otherCode(secret, 0) ? '111111' : '000000' });
    expect(wrong).toMatchObject({ ok: false, fieldErrors: { code: [expect.stringContaining("That code didn't work.")] } });
    expect(await hasSecondFactor(db, user.id)).toBe(false);

    const confirmed = await confirmTwoFactor({ code: otherCode(secret, 0) });
    if (!confirmed.ok) throw new Error(confirmed.error);
    const codes = confirmed.data.recoveryCodes;
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    expect(await hasSecondFactor(db, user.id)).toBe(true);
    const stored = await db.recoveryCode.findMany({ where: { userId: user.id }, select: { digest: true } });
    expect(stored).toHaveLength(10);
    for (const { digest } of stored) {
      expect(digest).toMatch(/^[0-9a-f]{64}$/);
      for (const code of codes) expect(digest).not.toContain(code.replace(/-/g, ''));
    }
    // The secret is no longer shown once it is on, and setup cannot start over.
    expect(await twoFactorState(db, user)).toMatchObject({ status: 'on', recoveryCodesLeft: 10 });
    expect(await startTwoFactorSetup({})).toEqual({ ok: false, error: 'Two-factor authentication is already on.' });
    expect(await auditActions(user.id)).toEqual(['two_factor.enabled']);
  });

  it('ends the other sessions of the user when it is turned on', async () => {
    fromAddress();
    const { user } = await newUser('Ula');
    const { startSession } = await import('@/lib/auth/sessions');
    const other = await startSession(db, user.id);
    await signInAs(user);
    await startTwoFactorSetup({});
    const secret = await secretOf(user);
    expect((await confirmTwoFactor({ code: otherCode(secret, 0) })).ok).toBe(true);
    expect(await db.userSession.findUniqueOrThrow({ where: { id: other }, select: { endedAt: true, endedReason: true } })).toMatchObject({
      endedAt: expect.any(Date),
      endedReason: 'two-factor-changed',
    });
    expect(await db.userSession.count({ where: { userId: user.id, endedAt: null } })).toBe(1);
  });
});

describe('checking a second factor', () => {
  it('refuses a code replayed within its window, and a code older than the last one accepted', async () => {
    const { user, secret } = await enrolledUser('Vera');
    const address = fromAddress();
    // enrolledUser accepted the previous step: the current code works once.
    const current = otherCode(secret, 0);
    expect(await verifySecondFactor(db, user.id, current, address)).toEqual({ ok: true, method: 'totp' });
    expect(await verifySecondFactor(db, user.id, current, address)).toEqual({ ok: false, error: WRONG });
    const next = otherCode(secret, 1);
    expect(await verifySecondFactor(db, user.id, next, address)).toEqual({ ok: true, method: 'totp' });
    // Now the current step is behind the last accepted one.
    expect(await verifySecondFactor(db, user.id, current, address)).toEqual({ ok: false, error: WRONG });
    // Out of the ±1 window.
    expect(await verifySecondFactor(db, user.id, otherCode(secret, 3), address)).toEqual({ ok: false, error: WRONG });
  });

  it('accepts one of two simultaneous uses of one code', async () => {
    const { user, secret } = await enrolledUser('Wim');
    const address = fromAddress();
    const code = otherCode(secret, 1);
    const results = await Promise.all([1, 2, 3].map(() => verifySecondFactor(db, user.id, code, address)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('uses a recovery code once, in any case and with or without hyphens, and audits its use', async () => {
    const { user, recoveryCodes } = await enrolledUser('Xia');
    const address = fromAddress();
    const [first, second] = recoveryCodes as [string, string];
    expect(await verifySecondFactor(db, user.id, first.toUpperCase().replace(/-/g, ' '), address)).toEqual({ ok: true, method: 'recovery_code' });
    expect(await verifySecondFactor(db, user.id, first, address)).toEqual({ ok: false, error: WRONG });
    expect(await verifySecondFactor(db, user.id, second, address)).toEqual({ ok: true, method: 'recovery_code' });
    expect(await verifySecondFactor(db, user.id, 'aaaa-bbbb-cccc-dddd', address)).toEqual({ ok: false, error: WRONG });
    expect(await twoFactorState(db, user)).toMatchObject({ status: 'on', recoveryCodesLeft: 8 });
    expect(await auditActions(user.id)).toEqual(['two_factor.enabled', 'two_factor.recovery_code_used', 'two_factor.recovery_code_used']);
    const used = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: 'two_factor.recovery_code_used' },
      select: { ip: true, actorId: true },
    });
    expect(used).toEqual({ ip: address, actorId: user.id });
  });

  it('limits wrong codes per account and address, like wrong passwords, and a right code then waits too', async () => {
    const { user, secret } = await enrolledUser('Yves');
    const address = fromAddress();
    for (let i = 0; i < ACCOUNT_PROTECTION.maxFailures; i++) {
      expect(await verifySecondFactor(db, user.id, String(100000 + i), address)).toEqual({ ok: false, error: WRONG });
    }
    const limited = await verifySecondFactor(db, user.id, otherCode(secret, 0), address);
    expect(limited).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many wrong codes for this account from your network\. Try again in \d+ minutes?\.$/),
    });
    // From another address the owner still gets in (slowed down: the account is under attack).
    const started = Date.now();
    expect(await verifySecondFactor(db, user.id, otherCode(secret, 0), fromAddress())).toEqual({ ok: true, method: 'totp' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(ACCOUNT_PROTECTION.slowdown.stepMs - 20);
  });

  it('refuses the second step for everyone once wrong codes from many addresses add up', async () => {
    const { user, secret } = await enrolledUser('Zed');
    // Guesses spread one per address (as from one IPv6 /64): each address stays under its own limit.
    await db.authAttempt.createMany({
      data: Array.from({ length: ACCOUNT_PROTECTION.secondFactorAccountCap }, (_, i) => ({
        kind: 'second_factor_failed',
        email: user.email,
        address: `2001:db8::${i + 1}`,
      })),
    });
    expect(await verifySecondFactor(db, user.id, otherCode(secret, 0), fromAddress())).toEqual({
      ok: false,
      error: expect.stringMatching(/^Too many wrong codes for this account\. Try again in \d+ minutes?\.$/),
    });
  });
});

describe('signing in with a second factor', () => {
  it('leaves an account without two-factor authentication signing in with its password alone', async () => {
    const address = fromAddress();
    const { user } = await newUser('Zoe');
    const started = await startSignIn({ email: user.email, password: PASSWORD });
    if (!started.ok) throw new Error(started.error);
    expect(started.data.secondFactor).toBe(false);
    expect(await authorizeCredentials({ ticket: started.data.ticket }, address, null)).toEqual(user);
    // The ticket is used up.
    expect(await message(authorizeCredentials({ ticket: started.data.ticket }, address, null))).toBe(EXPIRED);
    expect(await authorizeCredentials({ email: user.email, password: PASSWORD }, address, null)).toEqual(user);
  });

  it('grants nothing for the password alone: the second step needs the ticket and a code, once', async () => {
    const { user, secret } = await enrolledUser('Abe');
    const address = fromAddress();
    const sessionsBefore = await db.userSession.count({ where: { userId: user.id, endedAt: null } });

    const started = await startSignIn({ email: user.email, password: PASSWORD });
    if (!started.ok) throw new Error(started.error);
    expect(started.data.secondFactor).toBe(true);
    const { ticket } = started.data;
    // The ticket is stored as a digest, and the first step made no session.
    expect(await db.signInTicket.count({ where: { digest: ticket } })).toBe(0);
    expect(await db.userSession.count({ where: { userId: user.id, endedAt: null } })).toBe(sessionsBefore);

    // Neither the ticket alone nor email and password pass.
    expect(await message(authorizeCredentials({ ticket }, address, null))).toBe(WRONG);
    expect(await message(authorizeCredentials({ email: user.email, password: PASSWORD }, address, null))).toBe(
      'This account uses two-factor authentication. Sign in on the sign-in page to enter your code or use your passkey.',
    );
    // A wrong code keeps the ticket; the right one signs in and uses the ticket up.
    expect(await message(authorizeCredentials({ ticket, code: '12345x' }, address, null))).toBe(WRONG);
    expect(await authorizeCredentials({ ticket, code: otherCode(secret, 0) }, address, null)).toEqual(user);
    expect(await message(authorizeCredentials({ ticket, code: otherCode(secret, 1) }, address, null))).toBe(EXPIRED);
  });

  it('signs in with a recovery code, which is then refused', async () => {
    const { user, recoveryCodes } = await enrolledUser('Bea');
    const address = fromAddress();
    const ticketFor = async () => {
      const started = await startSignIn({ email: user.email, password: PASSWORD });
      if (!started.ok) throw new Error(started.error);
      return started.data.ticket;
    };
    expect(await authorizeCredentials({ ticket: await ticketFor(), recoveryCode: recoveryCodes[3] }, address, 'test-agent')).toEqual(user);
    expect(await message(authorizeCredentials({ ticket: await ticketFor(), recoveryCode: recoveryCodes[3] }, address, null))).toBe(WRONG);
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { subjectUserId: user.id, action: 'two_factor.recovery_code_used' },
      select: { userAgent: true },
    });
    expect(audit.userAgent).toBe('test-agent');
  });

  it('expires the second step after 5 minutes, and after 5 wrong codes', async () => {
    const { user, secret } = await enrolledUser('Cy');
    const address = fromAddress();
    const started = await startSignIn({ email: user.email, password: PASSWORD });
    if (!started.ok) throw new Error(started.error);
    const late = new Date(Date.now() + SIGN_IN_TICKET.ttlMs + 1000);
    expect(await message(authorizeCredentials({ ticket: started.data.ticket, code: codeAt(secret, late.getTime()) }, address, null, late))).toBe(EXPIRED);
    // Refused for good: the row is gone.
    expect(await message(authorizeCredentials({ ticket: started.data.ticket, code: otherCode(secret, 0) }, address, null))).toBe(EXPIRED);

    const again = await startSignIn({ email: user.email, password: PASSWORD });
    if (!again.ok) throw new Error(again.error);
    for (let i = 0; i < SIGN_IN_TICKET.maxAttempts; i++) {
      expect(await message(authorizeCredentials({ ticket: again.data.ticket, code: String(200000 + i) }, address, null))).toBe(WRONG);
    }
    expect(await message(authorizeCredentials({ ticket: again.data.ticket, code: otherCode(secret, 0) }, address, null))).toBe(EXPIRED);
    expect(await message(authorizeCredentials({ ticket: 'x'.repeat(43), code: otherCode(secret, 0) }, address, null))).toBe(EXPIRED);
  });

  it('answers the same for an unknown account and a wrong password', async () => {
    fromAddress();
    const { user } = await newUser('Dee');
    const unknown = await startSignIn({ email: 'nobody-here@example.com', password: PASSWORD });
    const wrong = await startSignIn({ email: user.email, password: 'not the password' });
    expect(unknown).toEqual({ ok: false, error: 'Invalid email or password.' });
    expect(wrong).toEqual(unknown);
  });
});

describe('managing two-factor authentication', () => {
  it('turns off only with the password and a current code, changing nothing otherwise', async () => {
    const { user, secret } = await enrolledUser('Eve');
    fromAddress();
    await signInAs(user);
    const { startSession } = await import('@/lib/auth/sessions');
    const other = await startSession(db, user.id);
    const code = otherCode(secret, 0);

    expect(await disableTwoFactor({ currentPassword: 'wrong password', code })).toMatchObject({
      ok: false,
      fieldErrors: { currentPassword: ['The current password is not right.'] },
    });
    expect(await disableTwoFactor({ currentPassword: PASSWORD, code: '000000' === code ? '111111' : '000000' })).toEqual({
      ok: false,
      error: WRONG,
      fieldErrors: { code: [WRONG] },
    });
    expect(await disableTwoFactor({ currentPassword: PASSWORD, code: '' })).toMatchObject({ ok: false });
    expect(await hasSecondFactor(db, user.id)).toBe(true);
    expect(await db.userSession.count({ where: { id: other, endedAt: null } })).toBe(1);

    expect(await disableTwoFactor({ currentPassword: PASSWORD, code })).toEqual({ ok: true, data: null });
    expect(await hasSecondFactor(db, user.id)).toBe(false);
    expect(await db.twoFactor.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await db.userSession.count({ where: { id: other, endedAt: null } })).toBe(0);
    expect(await auditActions(user.id)).toEqual(['two_factor.enabled', 'two_factor.disabled']);
    // The user is told, in the inbox, with no code in the words.
    const { NOTIFICATION_KINDS } = await import('@/lib/notifications/kinds');
    const told = await db.notification.findMany({ where: { userId: user.id, kind: 'two_factor.disabled' }, select: { facts: true } });
    expect(told).toHaveLength(1);
    const text = NOTIFICATION_KINDS['two_factor.disabled'].text(JSON.parse(told[0]!.facts), user.id);
    expect(text.title).toBe('Two-factor authentication turned off');
    expect(text.body).toMatch(/^You turned off two-factor authentication on your account in the portal/);
    expect(`${told[0]!.facts} ${text.body}`).not.toContain(code);

    // Signing in is the password alone again.
    const started = await startSignIn({ email: user.email, password: PASSWORD });
    expect(started).toMatchObject({ ok: true, data: { secondFactor: false } });
  });

  it('turns off with a recovery code and the password', async () => {
    const { user, recoveryCodes } = await enrolledUser('Fay');
    fromAddress();
    await signInAs(user);
    expect(await disableTwoFactor({ currentPassword: PASSWORD, code: recoveryCodes[0] })).toEqual({ ok: true, data: null });
    expect(await auditActions(user.id)).toEqual(['two_factor.enabled', 'two_factor.recovery_code_used', 'two_factor.disabled']);
  });

  it('generates new recovery codes with a current code or the password; the old ones stop working', async () => {
    const { user, secret, recoveryCodes } = await enrolledUser('Gus');
    const address = fromAddress();
    await signInAs(user);
    expect(await regenerateRecoveryCodes({ credential: 'not the password' })).toMatchObject({
      ok: false,
      fieldErrors: { credential: ['The current password is not right.'] },
    });
    const byCode = await regenerateRecoveryCodes({ credential: otherCode(secret, 0) });
    if (!byCode.ok) throw new Error(byCode.error);
    expect(byCode.data.recoveryCodes).toHaveLength(10);
    expect(await verifySecondFactor(db, user.id, recoveryCodes[0]!, address)).toEqual({ ok: false, error: WRONG });

    const byPassword = await regenerateRecoveryCodes({ credential: PASSWORD });
    if (!byPassword.ok) throw new Error(byPassword.error);
    expect(await verifySecondFactor(db, user.id, byCode.data.recoveryCodes[0]!, address)).toEqual({ ok: false, error: WRONG });
    expect(await verifySecondFactor(db, user.id, byPassword.data.recoveryCodes[0]!, address)).toEqual({ ok: true, method: 'recovery_code' });
    expect(await db.recoveryCode.count({ where: { userId: user.id } })).toBe(10);
    expect(await auditActions(user.id)).toEqual([
      'two_factor.enabled',
      'two_factor.recovery_codes_regenerated',
      'two_factor.recovery_codes_regenerated',
      'two_factor.recovery_code_used',
    ]);
  });
});

describe('GitHub sign-in', () => {
  it('signs in an account without a password, which cannot turn two-factor authentication on', async () => {
    const { authOptions } = await import('@/lib/auth/options');
    const { createUserWithOrg } = await import('@/lib/auth/accounts');
    const signInCallback = authOptions().callbacks!.signIn!;
    const viaGitHub = (user: { email: string }, githubId: string) =>
      signInCallback({
        user: { id: '', email: user.email, name: 'x' },
        account: { provider: 'github', providerAccountId: githubId, type: 'oauth' },
        profile: undefined,
      });

    // An account made with GitHub has no password: setting up two-factor authentication is refused.
    const email = `gh-${Date.now()}@example.com`;
    await createUserWithOrg(db, { name: 'Gil', email, githubId: 'gh-1' });
    const githubUser = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, name: true, email: true } });
    await signInAs(githubUser);
    expect(await startTwoFactorSetup({})).toEqual({
      ok: false,
      error: 'Two-factor authentication needs a password on the account: this account signs in with GitHub only.',
    });
    expect(await viaGitHub(githubUser, 'gh-1')).toBe(true);
    // An account with it (linked to GitHub by hand) goes on to a second step: tests/integration/github-second-step.test.ts.
  });
});

describe('step-up with a second factor', () => {
  it('offers the code, not the password alone, accepts a current code once, and refuses a wrong one with the same words', async () => {
    const { reauthOptions } = await import('@/lib/auth/step-up');
    const { reauthenticate } = await import('@/lib/actions/reauthenticate');
    const { user, secret } = await enrolledUser('Ivy');
    expect(await reauthOptions(user.id)).toEqual(['code']);
    fromAddress();
    await signInAs(user);
    await db.userSession.updateMany({ where: { userId: user.id }, data: { authenticatedAt: new Date(Date.now() - 60 * 60_000) } });
    // Someone with the session and the password is still asked for the second factor.
    const notEnough = 'With two-factor authentication on, confirm with your code or passkey.';
    expect(await reauthenticate({ method: 'password', password: PASSWORD })).toEqual({ ok: false, error: notEnough, fieldErrors: { password: [notEnough] } });
    const code = otherCode(secret, 0);
    const wrong = code === '000000' ? '111111' : '000000';
    expect(await reauthenticate({ method: 'code', code: wrong })).toEqual({ ok: false, error: WRONG, fieldErrors: { code: [WRONG] } });
    expect(await reauthenticate({ method: 'code', code })).toEqual({ ok: true, data: null });
    // The same code again is a replay.
    expect(await reauthenticate({ method: 'code', code })).toEqual({ ok: false, error: WRONG, fieldErrors: { code: [WRONG] } });
    const fresh = await db.userSession.count({ where: { userId: user.id, endedAt: null, authenticatedAt: { gt: new Date(Date.now() - 60_000) } } });
    expect(fresh).toBe(1);
    const audit = await db.auditEvent.findFirstOrThrow({ where: { actorId: user.id, action: 'session.reauthenticated' }, select: { details: true } });
    expect(JSON.parse(audit.details!)).toEqual({ method: 'code' });
  });
});
