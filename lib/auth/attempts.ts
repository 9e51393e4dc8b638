import type { Db } from '../prisma';

/**
 * Abuse limits on signing up and signing in, counted in the database (AuthAttempt rows) so that
 * every instance sees the same counts:
 * - per client address: sign-up attempts per hour and sign-in attempts per minute (env; 0 = off);
 * - per account AND address: after ACCOUNT_PROTECTION.maxFailures wrong passwords for one account
 *   from one address, that address may not try that account again for the window. Someone else's
 *   failures never lock the owner out: they come from other addresses.
 * - per account, from every address: once the account has that many failures in the window,
 *   each further attempt on it waits (ACCOUNT_PROTECTION.slowdown), the right password included.
 *   It slows an attack from many addresses down and never blocks the owner; the per-address
 *   limits bound how many attempts each address gets.
 */
export const ACCOUNT_PROTECTION = {
  maxFailures: 10,
  windowMs: 15 * 60_000,
  /** Delay per attempt on an account under attack: grows by stepMs per failure over the threshold, up to maxMs. */
  slowdown: { stepMs: 250, maxMs: 5_000 },
  /**
   * Wrong second-factor codes for one account from all addresses together, in the window: then
   * the second step is refused for everyone. A code has a million values, and whoever reaches
   * this step already has the password: spreading guesses over many addresses (one IPv6 /64 is
   * enough) must not get around the limit. 30 in 15 minutes puts a guessed code months away.
   */
  secondFactorAccountCap: 30,
} as const;

const HOUR = 60 * 60_000;
const MINUTE = 60_000;

export type AttemptKind = 'sign_up' | 'sign_in' | 'sign_in_failed' | 'password_check' | 'second_factor_failed';

/** The failures counted per account and address: wrong passwords, and wrong second-factor codes. */
type FailureKind = 'sign_in_failed' | 'second_factor_failed';

/** A refusal that names the wait. */
export class TooManyAttempts extends Error {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** "35 seconds", "1 minute", "12 minutes": the wait, rounded up. */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * Records an attempt from `address` and refuses it when it is over `limit` in the window: the
 * attempt is written first and then counted, so concurrent attempts all see each other; a
 * refused attempt is taken back, so waiting as told is enough.
 */
async function limitPerAddress(
  db: Db,
  kind: AttemptKind,
  address: string,
  limit: number,
  windowMs: number,
  refusal: (wait: string) => string,
  now: Date,
): Promise<void> {
  if (limit <= 0) return;
  const since = new Date(now.getTime() - windowMs);
  const row = await db.authAttempt.create({ data: { kind, address, createdAt: now }, select: { id: true } });
  const count = await db.authAttempt.count({ where: { kind, address, createdAt: { gte: since } } });
  if (count <= limit) return;
  await db.authAttempt.delete({ where: { id: row.id } });
  const oldest = await db.authAttempt.findFirst({
    where: { kind, address, createdAt: { gte: since } },
    orderBy: { createdAt: 'asc' },
    select: { createdAt: true },
  });
  const waitMs = oldest ? oldest.createdAt.getTime() + windowMs - now.getTime() : windowMs;
  throw new TooManyAttempts(refusal(describeWait(waitMs)), waitMs);
}

export const ATTEMPT_MESSAGES = {
  signUp: (wait: string) => `Too many sign-ups from your network. Try again in ${wait}.`,
  signIn: (wait: string) => `Too many sign-in attempts from your network. Try again in ${wait}.`,
  account: (wait: string) => `Too many failed sign-in attempts for this account from your network. Try again in ${wait}.`,
  secondFactor: (wait: string) => `Too many wrong codes for this account from your network. Try again in ${wait}.`,
  secondFactorAccount: (wait: string) => `Too many wrong codes for this account. Try again in ${wait}.`,
};

export async function limitSignUp(db: Db, address: string, perHour: number, now = new Date()): Promise<void> {
  await pruneSometimes(db, now);
  await limitPerAddress(db, 'sign_up', address, perHour, HOUR, ATTEMPT_MESSAGES.signUp, now);
}

export async function limitSignIn(db: Db, address: string, perMinute: number, now = new Date()): Promise<void> {
  await pruneSometimes(db, now);
  await limitPerAddress(db, 'sign_in', address, perMinute, MINUTE, ATTEMPT_MESSAGES.signIn, now);
}

/**
 * Before checking a password for `email` from `address`: refuses an address that has failed
 * too often for this account, and returns how long to wait first when the account is under
 * attack from many addresses.
 */
export function accountProtection(db: Db, email: string, address: string, now = new Date()): Promise<{ delayMs: number }> {
  return failureProtection(db, 'sign_in_failed', email, address, ATTEMPT_MESSAGES.account, now);
}

/** The same protection for second-factor codes (lib/auth/two-factor.ts), counted apart from wrong passwords. */
export function secondFactorProtection(db: Db, email: string, address: string, now = new Date()): Promise<{ delayMs: number }> {
  return failureProtection(db, 'second_factor_failed', email, address, ATTEMPT_MESSAGES.secondFactor, now, ACCOUNT_PROTECTION.secondFactorAccountCap);
}

async function failureProtection(
  db: Db,
  kind: FailureKind,
  email: string,
  address: string,
  refusal: (wait: string) => string,
  now: Date,
  accountCap?: number,
): Promise<{ delayMs: number }> {
  const since = new Date(now.getTime() - ACCOUNT_PROTECTION.windowMs);
  const failures = await db.authAttempt.findMany({
    where: { kind, email, createdAt: { gte: since } },
    orderBy: { createdAt: 'asc' },
    select: { address: true, createdAt: true },
  });
  const fromHere = failures.filter((failure) => failure.address === address);
  if (fromHere.length >= ACCOUNT_PROTECTION.maxFailures) {
    const freesAt = fromHere[fromHere.length - ACCOUNT_PROTECTION.maxFailures]!.createdAt.getTime() + ACCOUNT_PROTECTION.windowMs;
    throw new TooManyAttempts(refusal(describeWait(freesAt - now.getTime())), freesAt - now.getTime());
  }
  if (accountCap !== undefined && failures.length >= accountCap) {
    const freesAt = failures[failures.length - accountCap]!.createdAt.getTime() + ACCOUNT_PROTECTION.windowMs;
    throw new TooManyAttempts(ATTEMPT_MESSAGES.secondFactorAccount(describeWait(freesAt - now.getTime())), freesAt - now.getTime());
  }
  const over = failures.length - ACCOUNT_PROTECTION.maxFailures + 1;
  const { stepMs, maxMs } = ACCOUNT_PROTECTION.slowdown;
  return { delayMs: over > 0 ? Math.min(maxMs, over * stepMs) : 0 };
}

export async function recordSignInFailure(db: Db, email: string, address: string, kind: FailureKind = 'sign_in_failed'): Promise<void> {
  await db.authAttempt.create({ data: { kind, email, address } });
}

/** A successful sign-in (or code) clears this address's failures of that kind for the account. */
export async function clearSignInFailures(db: Db, email: string, address: string, kind: FailureKind = 'sign_in_failed'): Promise<void> {
  await db.authAttempt.deleteMany({ where: { kind, email, address } });
}

/** About one call in a hundred deletes the rows no window looks at any more. */
async function pruneSometimes(db: Db, now: Date): Promise<void> {
  if (Math.random() >= 0.01) return;
  await db.authAttempt.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - HOUR) } } });
}

/**
 * Checks of the current password when changing it, per user: at most 10 in 15 minutes, so that
 * a stolen session cannot be used to guess the password, nor to queue password hashing.
 */
export async function limitPasswordChecks(db: Db, userId: string, now = new Date()): Promise<void> {
  await limitPerAddress(db, 'password_check', `user:${userId}`, 10, 15 * 60_000, (wait) => `Too many password changes. Try again in ${wait}.`, now);
}
