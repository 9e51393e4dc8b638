import 'server-only';
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Secret, TOTP } from 'otpauth';
import { recordAudit, type ChangeOrigin } from '../audit';
import { serverEnv } from '../env';
import type { Db, DbTx } from '../prisma';
import { decryptSecret, encryptSecret, totpSecretContext } from '../shared/keys/crypto';
import { clearSignInFailures, recordSignInFailure, secondFactorProtection, TooManyAttempts } from './attempts';
import { SIGN_IN_ERRORS } from './messages';
import { parseAuthenticationResponse, PasskeyError, verifyPasskeyAuthentication } from './passkeys';

/**
 * Two-factor authentication with an authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30 s,
 * a code of the step before or after accepted too) and single-use recovery codes.
 *
 * - The TOTP secret is stored as the app keys are: AES-256-GCM under KEY_ENCRYPTION_KEY, bound
 *   to "totp:<userId>". Enrollment is pending until a first code confirms it.
 * - A code is accepted once: the last accepted time step is stored per user and only a later
 *   step is accepted, in one conditional update (two requests with one code: one wins).
 * - Recovery codes are 80 random bits each, stored as SHA-256 digests, used once.
 * - Wrong codes are limited as wrong passwords are (lib/auth/attempts.ts): per account and
 *   address, and slowed down per account.
 */
export const TOTP_SETTINGS = { issuer: 'Spice Portal', algorithm: 'SHA1', digits: 6, period: 30, window: 1 } as const;
export const RECOVERY_CODE_COUNT = 10;

/** Why an account without a password (made with GitHub) cannot turn two-factor authentication on: GitHub sign-in is refused once it is on. */
export const NEEDS_PASSWORD = 'Two-factor authentication needs a password on the account: this account signs in with GitHub only.';

/** What a wrong, replayed or used code is answered with: the same words, whatever the reason. */
export const WRONG_CODE = SIGN_IN_ERRORS.wrongCode;

const totpContext = totpSecretContext;

function totpOf(secretBase32: string, label: string): TOTP {
  const { issuer, algorithm, digits, period } = TOTP_SETTINGS;
  return new TOTP({ issuer, label, algorithm, digits, period, secret: Secret.fromBase32(secretBase32) });
}

/** The time step a code is valid for (within the window), or null. */
function matchingStep(secretBase32: string, code: string, now: Date): number | null {
  const delta = totpOf(secretBase32, 'check').validate({ token: code, timestamp: now.getTime(), window: TOTP_SETTINGS.window });
  if (delta === null) return null;
  return Math.floor(now.getTime() / 1000 / TOTP_SETTINGS.period) + delta;
}

const normalizeCode = (code: string) => code.replace(/[\s-]/g, '');
const isTotpShape = (code: string) => /^\d{6}$/.test(code);

/** The user's second factors: a confirmed authenticator app (a pending enrollment is not one) and passkeys. */
export type SecondFactors = { totp: boolean; passkeys: boolean };

/**
 * Which second factors the user has. The one answer to "is two-factor authentication on?"
 * (hasSecondFactor): the sign-in's second step, the organization policy, step-up and the
 * Security page all ask it.
 */
export async function secondFactors(db: Db | DbTx, userId: string): Promise<SecondFactors> {
  const [totp, passkeys] = await Promise.all([db.twoFactor.count({ where: { userId, confirmedAt: { not: null } } }), db.passkey.count({ where: { userId } })]);
  return { totp: totp > 0, passkeys: passkeys > 0 };
}

/** Whether two-factor authentication is on: a confirmed authenticator app or at least one passkey. */
export async function hasSecondFactor(db: Db | DbTx, userId: string): Promise<boolean> {
  const factors = await secondFactors(db, userId);
  return factors.totp || factors.passkeys;
}

/** Whether the user has a confirmed authenticator app (codes and recovery codes belong to it). */
export async function hasAuthenticatorApp(db: Db | DbTx, userId: string): Promise<boolean> {
  return (await secondFactors(db, userId)).totp;
}

export type TwoFactorState =
  { status: 'off' } | { status: 'pending'; secret: string; otpauthUri: string } | { status: 'on'; since: Date; recoveryCodesLeft: number };

/** What the Security page shows. The secret only while enrollment is pending (to set the app up). */
export async function twoFactorState(db: Db, user: { id: string; email: string }): Promise<TwoFactorState> {
  const row = await db.twoFactor.findUnique({ where: { userId: user.id }, select: { ciphertext: true, confirmedAt: true } });
  if (!row) return { status: 'off' };
  if (row.confirmedAt) {
    const recoveryCodesLeft = await db.recoveryCode.count({ where: { userId: user.id, usedAt: null } });
    return { status: 'on', since: row.confirmedAt, recoveryCodesLeft };
  }
  const secret = decryptSecret(row.ciphertext, totpContext(user.id), serverEnv().keySecrets.encryptionKey);
  return { status: 'pending', secret, otpauthUri: totpOf(secret, user.email).toString() };
}

/** Starts (or starts over) enrollment with a new secret. Refused when a second factor is already on. */
export async function beginEnrollment(db: Db, userId: string): Promise<boolean> {
  const secret = new Secret({ size: 20 }).base32;
  const ciphertext = encryptSecret(secret, totpContext(userId), serverEnv().keySecrets.encryptionKey);
  return db.$transaction(async (tx) => {
    // Writes first (SQLite: a transaction that reads first can fail when another writes meanwhile).
    const replaced = await tx.twoFactor.updateMany({ where: { userId, confirmedAt: null }, data: { ciphertext, lastStep: null } });
    if (replaced.count > 0) return true;
    if (await tx.twoFactor.count({ where: { userId } })) return false;
    await tx.twoFactor.create({ data: { userId, ciphertext } });
    return true;
  });
}

/** Drops a pending enrollment; a confirmed one stays. */
export async function cancelEnrollment(db: Db, userId: string): Promise<void> {
  await db.twoFactor.deleteMany({ where: { userId, confirmedAt: null } });
}

/** 16 characters of Crockford's base32 (80 bits), shown as xxxx-xxxx-xxxx-xxxx. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function newRecoveryCode(): string {
  let bits = BigInt(`0x${randomBytes(10).toString('hex')}`);
  let code = '';
  for (let i = 0; i < 16; i++) {
    code += RECOVERY_ALPHABET[Number(bits & 31n)];
    bits >>= 5n;
  }
  return code.match(/.{4}/g)!.join('-');
}

/** A recovery code as typed (any case, with or without hyphens or spaces; i, l and o read as 1, 1 and 0) to its digest. */
function recoveryDigest(code: string): string | null {
  const normalized = normalizeCode(code).toLowerCase().replace(/[il]/g, '1').replace(/o/g, '0');
  if (!/^[0-9a-hjkmnp-tv-z]{16}$/.test(normalized)) return null;
  return createHash('sha256').update(normalized, 'utf8').digest('hex');
}

/** Replaces the user's recovery codes with 10 new ones, inside the caller's transaction; returns them (shown once). */
export async function replaceRecoveryCodes(tx: DbTx, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.recoveryCode.deleteMany({ where: { userId } });
  await tx.recoveryCode.createMany({ data: codes.map((code) => ({ userId, digest: recoveryDigest(code)! })) });
  return codes;
}

export type CodeCheck = { ok: true; method: 'totp' | 'recovery_code' | 'passkey' } | { ok: false; error: string };

/**
 * Runs a code check under the wrong-code limits: refuses an address over the limit for this
 * account (the limit's message names the wait), waits first when the account is under attack,
 * and counts a failure.
 */
async function limited(db: Db, userId: string, address: string, check: (email: string) => Promise<CodeCheck>): Promise<CodeCheck> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { email: true } });
  if (!user) return { ok: false, error: WRONG_CODE };
  try {
    const { delayMs } = await secondFactorProtection(db, user.email, address);
    if (delayMs > 0) await sleep(delayMs);
  } catch (error) {
    if (error instanceof TooManyAttempts) return { ok: false, error: error.message };
    throw error;
  }
  const result = await check(user.email);
  if (result.ok) await clearSignInFailures(db, user.email, address, 'second_factor_failed');
  else await recordSignInFailure(db, user.email, address, 'second_factor_failed');
  return result;
}

/**
 * Confirms a pending enrollment with a first code from the app: turns the second factor on,
 * issues the recovery codes (returned, shown once), audits it, and runs `more` in the same
 * transaction (the action ends the user's other sessions there). A wrong code changes nothing.
 */
export async function confirmEnrollment(
  db: Db,
  userId: string,
  code: string,
  origin: ChangeOrigin,
  more: (tx: DbTx) => Promise<unknown> = async () => undefined,
  now = new Date(),
): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; error: string }> {
  const pending = await db.twoFactor.findFirst({ where: { userId, confirmedAt: null }, select: { ciphertext: true } });
  if (!pending) return { ok: false, error: 'Start the setup again: there is no authenticator app waiting to be confirmed.' };
  const secret = decryptSecret(pending.ciphertext, totpContext(userId), serverEnv().keySecrets.encryptionKey);
  let recoveryCodes: string[] = [];
  const result = await limited(db, userId, origin.ip ?? 'unknown', async () => {
    const typed = normalizeCode(code);
    const step = isTotpShape(typed) ? matchingStep(secret, typed, now) : null;
    if (step === null) return { ok: false, error: SIGN_IN_ERRORS.wrongSetupCode };
    const confirmed = await db.$transaction(async (tx) => {
      // Only the pending row with this very secret (a restarted setup has another).
      const updated = await tx.twoFactor.updateMany({
        where: { userId, confirmedAt: null, ciphertext: pending.ciphertext },
        data: { confirmedAt: now, lastStep: step },
      });
      if (updated.count === 0) return false;
      recoveryCodes = await replaceRecoveryCodes(tx, userId);
      await recordAudit(tx, { action: 'two_factor.enabled', orgId: null, subjectUserId: userId, origin });
      await more(tx);
      return true;
    });
    return confirmed ? { ok: true, method: 'totp' } : { ok: false, error: SIGN_IN_ERRORS.wrongSetupCode };
  });
  return result.ok ? { ok: true, recoveryCodes } : result;
}

/**
 * Checks a second factor of a user with two-factor authentication on: a current code from the
 * authenticator app (6 digits; accepted once, never replayed) or an unused recovery code (then
 * used up, and audited as used). Limited per account and address like wrong passwords. Anything
 * refused is answered WRONG_CODE (or a limit's message) and changes nothing but the failure count.
 * For the sign-in's second step, step-up checks and turning 2FA off.
 */
export async function verifySecondFactor(
  db: Db,
  userId: string,
  code: string,
  address: string,
  origin: Partial<ChangeOrigin> = {},
  now = new Date(),
): Promise<CodeCheck> {
  return limited(db, userId, address, async () => {
    const typed = normalizeCode(code);
    if (isTotpShape(typed)) {
      const row = await db.twoFactor.findFirst({ where: { userId, confirmedAt: { not: null } }, select: { ciphertext: true } });
      if (!row) return { ok: false, error: WRONG_CODE };
      const secret = decryptSecret(row.ciphertext, totpContext(userId), serverEnv().keySecrets.encryptionKey);
      const step = matchingStep(secret, typed, now);
      if (step === null) return { ok: false, error: WRONG_CODE };
      // The replay guard: only a step later than the last accepted one, in one conditional update.
      const accepted = await db.twoFactor.updateMany({
        where: { userId, confirmedAt: { not: null }, OR: [{ lastStep: null }, { lastStep: { lt: step } }] },
        data: { lastStep: step },
      });
      return accepted.count === 1 ? { ok: true, method: 'totp' } : { ok: false, error: WRONG_CODE };
    }
    const digest = recoveryDigest(typed);
    if (!digest || !(await hasAuthenticatorApp(db, userId))) return { ok: false, error: WRONG_CODE };
    const used = await db.$transaction(async (tx) => {
      const marked = await tx.recoveryCode.updateMany({ where: { userId, digest, usedAt: null }, data: { usedAt: now } });
      if (marked.count === 0) return false;
      await recordAudit(tx, {
        action: 'two_factor.recovery_code_used',
        orgId: null,
        subjectUserId: userId,
        origin: { actorId: userId, ip: address === 'unknown' ? null : address, userAgent: origin.userAgent ?? null },
      });
      return true;
    });
    return used ? { ok: true, method: 'recovery_code' } : { ok: false, error: WRONG_CODE };
  });
}

/**
 * Checks a passkey as the second factor (the sign-in's second step, step-up, removing the last
 * passkey): the browser's answer (its JSON text or object; a malformed one is refused and
 * counted too) to a challenge of beginPasskeyAuthentication for this user,
 * under the same wrong-code limits as a code. A foreign passkey or a stale challenge is refused
 * with the passkey wording (PASSKEY_MESSAGES) and counts as a wrong second factor.
 */
export async function verifyPasskeySecondFactor(
  db: Db,
  userId: string,
  response: unknown,
  host: string | null | undefined,
  address: string,
  now = new Date(),
): Promise<CodeCheck> {
  return limited(db, userId, address, async () => {
    try {
      await verifyPasskeyAuthentication(db, userId, parseAuthenticationResponse(response), host, now);
      return { ok: true, method: 'passkey' };
    } catch (error) {
      if (error instanceof PasskeyError) return { ok: false, error: error.message };
      throw error;
    }
  });
}

/** Turns two-factor authentication off inside the caller's transaction: the app's secret and the recovery codes go. */
export async function removeSecondFactor(tx: DbTx, userId: string): Promise<boolean> {
  const { count } = await tx.twoFactor.deleteMany({ where: { userId, confirmedAt: { not: null } } });
  await tx.recoveryCode.deleteMany({ where: { userId } });
  return count > 0;
}
