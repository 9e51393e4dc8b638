import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { db } from '../db';
import { serverEnv } from '../env';
import { accountProtection, clearSignInFailures, limitSignIn, recordSignInFailure } from './attempts';
import { SECOND_STEP_TTL_MS, SIGN_IN_ERRORS } from './messages';
import { hashPassword, needsRehash, verifyPassword } from './password';
import { hasSecondFactor, secondFactors, verifyPasskeySecondFactor, verifySecondFactor, type SecondFactors } from './two-factor';

export type SignedInUser = { id: string; name: string; email: string };

/**
 * Email and password sign-in, for next-auth's Credentials provider: the per-address limit, the
 * per-account protection (lib/auth/attempts.ts), then the password check off the event loop.
 * A hash from an older scheme or cost is replaced after a successful check. Throws an Error
 * whose message the login form shows: the generic one for a wrong email or password, or a
 * limit's message that names the wait.
 */
export async function signInWithPassword(email: string, password: string, address: string): Promise<SignedInUser> {
  const env = serverEnv();
  await limitSignIn(db, address, env.signInLimitPerMinute);
  const { delayMs } = await accountProtection(db, email, address);
  if (delayMs > 0) await sleep(delayMs);
  const user = await db.user.findUnique({ where: { email }, select: { id: true, name: true, email: true, passwordHash: true } });
  if (!user || !(await verifyPassword(password, user.passwordHash, env.passwordHashCost))) {
    await recordSignInFailure(db, email, address);
    throw new Error(SIGN_IN_ERRORS.invalid);
  }
  await clearSignInFailures(db, email, address);
  if (needsRehash(user.passwordHash!, env.passwordHashCost)) {
    // Only if the hash is still the one that was checked (a password change meanwhile wins).
    await db.user.updateMany({
      where: { id: user.id, passwordHash: user.passwordHash },
      data: { passwordHash: await hashPassword(password, env.passwordHashCost) },
    });
  }
  return { id: user.id, name: user.name, email: user.email };
}

/** How long the second step may wait after the password, and how many wrong codes one ticket may take. */
export const SIGN_IN_TICKET = { ttlMs: SECOND_STEP_TTL_MS, maxAttempts: 5 } as const;

const ticketDigest = (ticket: string) => createHash('sha256').update(ticket, 'utf8').digest('hex');

/**
 * The first sign-in step: the password, through the same limits as ever (signInWithPassword).
 * It grants nothing by itself: the answer is a single-use ticket, good for 5 minutes, stored as
 * its digest, that the sign-in page keeps in memory and hands to next-auth's Credentials
 * provider: alone for an account without a second factor, with a code, a recovery code or a
 * passkey's answer for one with it (`secondFactor`; `factors` says which the account has, for
 * the form to offer). Throws as signInWithPassword does.
 */
export async function startSignIn(
  email: string,
  password: string,
  address: string,
  now = new Date(),
): Promise<{ ticket: string; secondFactor: boolean; factors: SecondFactors }> {
  const user = await signInWithPassword(email, password, address);
  const factors = await secondFactors(db, user.id);
  return { ticket: await startSecondStepFor(user.id, now), secondFactor: factors.totp || factors.passkeys, factors };
}

/**
 * A single-use sign-in ticket for a user whose first step passed (the password, or GitHub), as
 * startSignIn describes: 5 minutes, stored as its digest, 5 wrong codes at most. It grants nothing
 * by itself.
 */
export async function startSecondStepFor(userId: string, now = new Date()): Promise<string> {
  const ticket = randomBytes(32).toString('base64url');
  await db.signInTicket.deleteMany({ where: { expiresAt: { lt: now } } });
  await db.signInTicket.create({ data: { digest: ticketDigest(ticket), userId, expiresAt: new Date(now.getTime() + SIGN_IN_TICKET.ttlMs) } });
  return ticket;
}

/** Whether a ticket can still pass the second step: known, not expired, not out of attempts. */
export async function liveSignInTicket(ticket: string, now = new Date()): Promise<boolean> {
  const row = await db.signInTicket.findUnique({ where: { digest: ticketDigest(ticket) }, select: { expiresAt: true, attempts: true } });
  return !!row && row.expiresAt > now && row.attempts < SIGN_IN_TICKET.maxAttempts;
}

/**
 * The user a current sign-in ticket was issued for (to start a passkey check for the second
 * step: the browser names the ticket, never a user). Throws SIGN_IN_ERRORS.expired otherwise.
 */
export async function ticketUserId(ticket: string, now = new Date()): Promise<string> {
  const row = await db.signInTicket.findUnique({ where: { digest: ticketDigest(ticket) }, select: { userId: true, expiresAt: true } });
  if (!row || row.expiresAt <= now) throw expired();
  return row.userId;
}

export type SignInCredentials =
  { email: string; password: string } | { ticket: string; code?: string | undefined; recoveryCode?: string | undefined; passkey?: string | undefined };

const expired = () => new Error(SIGN_IN_ERRORS.expired);

/**
 * next-auth's Credentials provider: who signs in, or an Error whose message the form shows.
 * - `{ ticket }` from startSignIn, for an account without a second factor: the ticket is used up;
 * - `{ ticket, code }` or `{ ticket, recoveryCode }`: the second factor (verifySecondFactor);
 *   a wrong one counts against the ticket (5 at most), and the ticket is used up when it passes;
 * - `{ ticket, passkey }`: a passkey's answer (JSON) to a challenge begun for the ticket's user
 *   (verifyPasskeySecondFactor, at `host`), counted as a code is;
 * - `{ email, password }`, as before, only for an account without a second factor.
 * An unknown, used or expired ticket answers SIGN_IN_ERRORS.expired: back to the first step.
 */
export async function authorizeCredentials(
  credentials: SignInCredentials,
  address: string,
  userAgent: string | null,
  now = new Date(),
  host: string | null = null,
): Promise<SignedInUser> {
  if ('email' in credentials) {
    const user = await signInWithPassword(credentials.email, credentials.password, address);
    if (await hasSecondFactor(db, user.id)) throw new Error(SIGN_IN_ERRORS.secondFactorRequired);
    return user;
  }
  const digest = ticketDigest(credentials.ticket);
  const code = credentials.code || credentials.recoveryCode;
  const passkey = credentials.passkey;
  const userOf = async (userId: string) => db.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, name: true, email: true } });
  if (!code && !passkey) {
    const row = await db.signInTicket.findUnique({ where: { digest }, select: { userId: true, expiresAt: true } });
    if (!row || row.expiresAt <= now) throw expired();
    if (await hasSecondFactor(db, row.userId)) throw new Error(SIGN_IN_ERRORS.wrongCode);
    if ((await db.signInTicket.deleteMany({ where: { digest } })).count !== 1) throw expired();
    return userOf(row.userId);
  }
  // Counts the attempt first, so that parallel guesses with one ticket stay within its limit.
  const counted = await db.signInTicket.updateMany({
    where: { digest, expiresAt: { gt: now }, attempts: { lt: SIGN_IN_TICKET.maxAttempts } },
    data: { attempts: { increment: 1 } },
  });
  if (counted.count !== 1) {
    await db.signInTicket.deleteMany({ where: { digest } });
    throw expired();
  }
  const ticket = await db.signInTicket.findUnique({ where: { digest }, select: { userId: true } });
  if (!ticket) throw expired();
  const { userId } = ticket;
  const check = passkey
    ? await verifyPasskeySecondFactor(db, userId, passkey, host, address, now)
    : await verifySecondFactor(db, userId, code!, address, { userAgent }, now);
  if (!check.ok) throw new Error(check.error);
  if ((await db.signInTicket.deleteMany({ where: { digest } })).count !== 1) throw expired();
  return userOf(userId);
}
