import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { db } from '../db';
import { serverEnv } from '../env';
import { accountProtection, clearSignInFailures, limitSignIn, recordSignInFailure } from './attempts';
import { SIGN_IN_ERRORS } from './messages';
import { hashPassword, needsRehash, verifyPassword } from './password';

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
