// Accounts that hold up against abuse: password hashing, per-address limits on sign-up and
// sign-in, per-account protection that a stranger cannot turn against the owner, and sessions
// that end on the server.
process.env.SIGNUP_LIMIT_PER_HOUR = '3';
process.env.SIGNIN_LIMIT_PER_MINUTE = '5';

import bcrypt from 'bcryptjs';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { changePassword } from '@/lib/actions/change-password';
import { signOutEverywhere } from '@/lib/actions/sign-out-everywhere';
import { signUp } from '@/lib/actions/sign-up';
import { ACCOUNT_PROTECTION, accountProtection } from '@/lib/auth/attempts';
import { getCurrentUser } from '@/lib/auth/session';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';
import { request, sessionCookie, signOut } from './request';

let n = 0;
/** A fresh address for each test, so that the per-address counts start at zero. */
function fromAddress(): string {
  const address = `198.18.${Math.floor(++n / 250)}.${n % 250}`;
  request.headers.set(CLIENT_ADDRESS_HEADER, address);
  return address;
}
const email = (name: string) => `${name.toLowerCase()}-${++n}-${Date.now()}@example.com`;
const password = 'correct horse battery';

async function account(name: string) {
  fromAddress();
  const address = email(name);
  const result = await signUp({ name, email: address, password });
  if (!result.ok) throw new Error(result.error);
  return db.user.findUniqueOrThrow({ where: { email: address }, select: { id: true, name: true, email: true, passwordHash: true } });
}

/** The message a sign-in attempt fails with, or 'ok'. */
async function trySignIn(who: string, pass: string, address: string): Promise<string> {
  try {
    await signInWithPassword(who, pass, address);
    return 'ok';
  } catch (error) {
    return (error as Error).message;
  }
}

beforeEach(() => signOut());

describe('password hashes', () => {
  it('are versioned scrypt hashes, and the password verifies', async () => {
    const user = await account('Sam');
    expect(user.passwordHash).toMatch(/^\$scrypt\$v=1\$ln=4,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(await trySignIn(user.email, password, fromAddress())).toBe('ok');
    expect(await trySignIn(user.email, 'wrong password', fromAddress())).toBe('Invalid email or password.');
  });

  it('made by bcrypt still verify, and are replaced by scrypt at the next successful sign-in', async () => {
    const user = await account('Old');
    const legacy = await bcrypt.hash(password, 4);
    await db.user.update({ where: { id: user.id }, data: { passwordHash: legacy } });
    expect(await trySignIn(user.email, 'wrong password', fromAddress())).toBe('Invalid email or password.');
    expect((await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } })).passwordHash).toBe(legacy);

    expect(await trySignIn(user.email, password, fromAddress())).toBe('ok');
    const rehashed = (await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } })).passwordHash!;
    expect(rehashed).toMatch(/^\$scrypt\$v=1\$/);
    expect(await trySignIn(user.email, password, fromAddress())).toBe('ok');
  });
});

describe('per-address limits', () => {
  it('allow SIGNUP_LIMIT_PER_HOUR sign-ups per address, then say how long to wait; other addresses go on', async () => {
    fromAddress();
    for (let i = 0; i < 3; i++) expect((await signUp({ name: 'Bulk', email: email('bulk'), password })).ok).toBe(true);
    const refused = await signUp({ name: 'Bulk', email: email('bulk'), password });
    expect(refused).toEqual({ ok: false, error: expect.stringMatching(/^Too many sign-ups from your network\. Try again in (60|59) minutes\.$/) });
    expect(await db.user.count({ where: { email: { startsWith: 'bulk-' } } })).toBe(3);

    fromAddress();
    expect((await signUp({ name: 'Other', email: email('other'), password })).ok).toBe(true);
  });

  it('allow SIGNIN_LIMIT_PER_MINUTE sign-in attempts per address, right or wrong, then say how long to wait', async () => {
    const user = await account('Tess');
    const address = fromAddress();
    for (let i = 0; i < 5; i++) expect(await trySignIn(user.email, i % 2 ? password : 'wrong password', address)).toMatch(/^(ok|Invalid email or password\.)$/);
    expect(await trySignIn(user.email, password, address)).toMatch(/^Too many sign-in attempts from your network\. Try again in (60|59) seconds\.$/);
    // One password tried against many accounts from one address hits the same limit.
    expect(await trySignIn(email('someone'), password, address)).toMatch(/^Too many sign-in attempts/);
    expect(await trySignIn(user.email, password, fromAddress())).toBe('ok');
  });
});

describe('per-account protection', () => {
  it("refuses the stranger's address after repeated failures, never the owner's", async () => {
    const owner = await account('Olga');
    const stranger = fromAddress();
    // Spread over several minutes' budget of the per-address limit: only the account count matters here.
    await db.authAttempt.createMany({
      data: Array.from({ length: ACCOUNT_PROTECTION.maxFailures }, () => ({ kind: 'sign_in_failed', email: owner.email, address: stranger })),
    });
    expect(await trySignIn(owner.email, password, stranger)).toMatch(
      /^Too many failed sign-in attempts for this account from your network\. Try again in 15 minutes\.$/,
    );
    // The owner, from their own address, signs in (slowed down a little: the account is under attack).
    expect(await trySignIn(owner.email, password, fromAddress())).toBe('ok');
  });

  it('slows an account under attack from many addresses down, and the owner still gets in', async () => {
    const owner = await account('Pia');
    for (let i = 0; i < ACCOUNT_PROTECTION.maxFailures + 1; i++) {
      expect(await trySignIn(owner.email, `guess ${i}`, fromAddress())).toBe('Invalid email or password.');
    }
    const started = Date.now();
    expect(await trySignIn(owner.email, password, fromAddress())).toBe('ok');
    expect(Date.now() - started).toBeGreaterThanOrEqual(2 * ACCOUNT_PROTECTION.slowdown.stepMs);

    // An account nobody attacks is not slowed down (its sign-in waits for nothing; a wall-clock
    // bound here would measure the machine, not the rule).
    const calm = await account('Quinn');
    expect(await accountProtection(db, calm.email, fromAddress())).toEqual({ delayMs: 0 });
    expect(await trySignIn(calm.email, password, fromAddress())).toBe('ok');
    expect(await accountProtection(db, owner.email, fromAddress())).not.toEqual({ delayMs: 0 });
  });
});

describe('sessions end on the server', () => {
  async function useCookie(cookie: string) {
    request.cookies.set('next-auth.session-token', cookie);
  }

  it('Sign out everywhere refuses every cookie of the user, in every browser', async () => {
    const user = await account('Rui');
    const laptop = await sessionCookie(user);
    const phone = await sessionCookie(user);
    const other = await account('Sol');
    const othersCookie = await sessionCookie(other);

    await useCookie(phone);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    await useCookie(laptop);
    expect(await signOutEverywhere({})).toEqual({ ok: true, data: { ended: 2 } });
    expect(await getCurrentUser()).toBeNull();
    await useCookie(phone);
    expect(await getCurrentUser()).toBeNull();
    expect(await signOutEverywhere({})).toMatchObject({ ok: false, error: 'You are signed out. Sign in again.' });
    // Nobody else is signed out.
    await useCookie(othersCookie);
    expect(await getCurrentUser()).toMatchObject({ id: other.id });
  });

  it('changing the password needs the current one and ends the other sessions, not this one', async () => {
    const user = await account('Tao');
    const here = await sessionCookie(user);
    const elsewhere = await sessionCookie(user);
    await useCookie(here);
    expect(await changePassword({ currentPassword: 'not it', newPassword: 'a new long password' })).toMatchObject({
      ok: false,
      error: 'The current password is not right.',
    });
    await useCookie(elsewhere);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });

    await useCookie(here);
    expect(await changePassword({ currentPassword: password, newPassword: 'a new long password' })).toEqual({ ok: true, data: { otherSessionsEnded: 1 } });
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    await useCookie(elsewhere);
    expect(await getCurrentUser()).toBeNull();
    expect(await trySignIn(user.email, password, fromAddress())).toBe('Invalid email or password.');
    expect(await trySignIn(user.email, 'a new long password', fromAddress())).toBe('ok');
  });

  it('a cookie from before sessions were recorded (no session id) is refused', async () => {
    const user = await account('Uma');
    const { encode } = await import('next-auth/jwt');
    await useCookie(await encode({ token: { sub: user.id, name: user.name, email: user.email }, secret: process.env.NEXTAUTH_SECRET! }));
    expect(await getCurrentUser()).toBeNull();
  });
});
