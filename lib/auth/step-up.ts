import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { AppError } from '../shared/errors';
import { TooManyAttempts } from './attempts';
import { PASSKEY_MESSAGES, SIGN_IN_ERRORS } from './messages';
import { passkeyAnswerSchema } from './passkeys';
import type { CurrentUser } from './session';
import { signInWithPassword } from './sign-in';
import { secondFactors, verifyPasskeySecondFactor, verifySecondFactor } from './two-factor';

/**
 * Step-up: sensitive actions (authedAction's `stepUp: true`) need the session's last
 * authentication (UserSession.authenticatedAt: the sign-in, or a later `reauthenticate`) to be
 * within STEP_UP_WINDOW_SECONDS. Otherwise they refuse with `reauth_required` and change nothing;
 * the portal then asks "Confirm it's you" and runs the action again.
 */

/** Whether an authentication at `authenticatedAt` is recent enough for a sensitive action. */
export function isRecentAuthentication(authenticatedAt: Date, windowSeconds: number, now = new Date()): boolean {
  return now.getTime() - authenticatedAt.getTime() <= windowSeconds * 1000;
}

/** Throws `reauth_required` unless the session authenticated within the step-up window. */
export async function requireRecentAuthentication(sessionId: string, now = new Date()): Promise<void> {
  const row = await db.userSession.findUnique({ where: { id: sessionId }, select: { authenticatedAt: true } });
  if (!row || !isRecentAuthentication(row.authenticatedAt, serverEnv().stepUpWindowSeconds, now)) throw new AppError('reauth_required');
}

const WRONG_PASSWORD = 'That password is not right.';
const PASSWORD_NOT_ENOUGH = 'With two-factor authentication on, confirm with your code or passkey.';

/**
 * The proofs `reauthenticate` accepts, one zod object per method, told apart by `method`. A new
 * method (a TOTP `code`, a `passkey` answer) is one more object in this union and one more
 * entry in PROOF_CHECKS below; TypeScript refuses a method without its check.
 */
export const reauthenticateSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('password'), password: z.string().min(1, 'Enter your password.').max(200, 'Password is at most 200 characters.') }),
  z.object({ method: z.literal('code'), code: z.string().trim().min(1, 'Enter a code from your authenticator app, or a recovery code.').max(40) }),
  // The browser's answer to a challenge of beginPasskeyCheck (lib/actions/begin-passkey-check.ts).
  z.object({ method: z.literal('passkey'), response: passkeyAnswerSchema }),
]);
export type ReauthProof = z.output<typeof reauthenticateSchema>;
export type ReauthMethod = ReauthProof['method'];

/**
 * Checks one kind of proof for the signed-in user, from the client address (and the request's
 * Host, for a passkey's relying party): returns when it holds, throws an AppError (`invalid`
 * with a field error, or `rate_limited`) when not.
 */
type ProofCheck<M extends ReauthMethod> = (
  user: CurrentUser,
  proof: Extract<ReauthProof, { method: M }>,
  address: string,
  host: string | null,
) => Promise<void>;

/**
 * The password, through the sign-in's own limits and counts (lib/auth/attempts.ts): the
 * per-address limit, the per-account-and-address lock-out, the slowdown, and their wording.
 * A wrong password here counts as a failed sign-in of the account.
 */
const checkPassword: ProofCheck<'password'> = async (user, proof, address) => {
  // With two-factor authentication on, the password alone is one factor: someone who has it and
  // a session must still show the code or the passkey (reauthOptions offers those only).
  const factors = await secondFactors(db, user.id);
  if (factors.totp || factors.passkeys) throw new AppError('invalid', PASSWORD_NOT_ENOUGH, { fieldErrors: { password: [PASSWORD_NOT_ENOUGH] } });
  try {
    await signInWithPassword(user.email, proof.password, address);
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    if (error instanceof Error && error.message === SIGN_IN_ERRORS.invalid) {
      throw new AppError('invalid', WRONG_PASSWORD, { fieldErrors: { password: [WRONG_PASSWORD] } });
    }
    throw error;
  }
};

/**
 * A code from the authenticator app or a recovery code (lib/auth/two-factor.ts verifySecondFactor):
 * limited per account and address, never replayed, a recovery code used up.
 */
const checkCode: ProofCheck<'code'> = async (user, proof, address) => {
  const check = await verifySecondFactor(db, user.id, proof.code, address);
  if (check.ok) return;
  if (check.error === SIGN_IN_ERRORS.wrongCode) throw new AppError('invalid', check.error, { fieldErrors: { code: [check.error] } });
  throw new AppError('rate_limited', check.error);
};

/**
 * One of the user's passkeys (verifyPasskeySecondFactor): a challenge begun for this user, taken
 * once, under the wrong-code limits. A refusal keeps its passkey wording.
 */
const checkPasskey: ProofCheck<'passkey'> = async (user, proof, address, host) => checkPasskeyProof(user.id, proof.response, address, host);

/** A passkey answer of this user as the current second factor, for actions: returns, or throws `invalid` (passkey wording) or `rate_limited`. */
export async function checkPasskeyProof(userId: string, response: unknown, address: string, host: string | null): Promise<void> {
  const check = await verifyPasskeySecondFactor(db, userId, response, host, address);
  if (check.ok) return;
  throw new AppError((Object.values(PASSKEY_MESSAGES) as string[]).includes(check.error) ? 'invalid' : 'rate_limited', check.error);
}

const PROOF_CHECKS: { [M in ReauthMethod]: ProofCheck<M> } = { password: checkPassword, code: checkCode, passkey: checkPasskey };

/** Checks a re-authentication proof of the signed-in user; throws an AppError when it does not hold. */
export async function checkReauthProof(user: CurrentUser, proof: ReauthProof, address: string, host: string | null = null): Promise<void> {
  await (PROOF_CHECKS[proof.method] as ProofCheck<ReauthMethod>)(user, proof, address, host);
}

/**
 * The ways the "Confirm it's you" dialog offers this user, in the order it offers them: a
 * proof method of `reauthenticateSchema`, or `github` (signing in again with GitHub, for an
 * account without a password; it comes back to the same page).
 */
export type ReauthOption = ReauthMethod | 'github';

export async function reauthOptions(userId: string): Promise<ReauthOption[]> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { passwordHash: true, githubId: true } });
  const options: ReauthOption[] = [];
  // With two-factor authentication on, its factors come first (the stronger proofs): the
  // authenticator app's code, then a passkey.
  const factors = await secondFactors(db, userId);
  if (user && factors.totp) options.push('code');
  if (user && factors.passkeys) options.push('passkey');
  // The password only without a second factor: with one, the password alone proves too little.
  if (user?.passwordHash && !factors.totp && !factors.passkeys) options.push('password');
  if (user?.githubId && serverEnv().github) options.push('github');
  return options;
}
