import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { AppError } from '../shared/errors';
import { limitPasswordChecks, TooManyAttempts } from './attempts';
import { verifyPassword } from './password';

export const WRONG_PASSWORD = 'The current password is not right.';

/**
 * Checks the signed-in user's current password before a change that needs it (a new password,
 * removing the last passkey): at most 10 checks per user in 15 minutes (lib/auth/attempts.ts).
 * A wrong one is an `invalid` AppError on `field`; nothing is changed.
 */
export async function confirmPassword(userId: string, password: string, field: string): Promise<void> {
  try {
    await limitPasswordChecks(db, userId);
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    throw error;
  }
  const row = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  if (!row.passwordHash) throw new AppError('forbidden', 'Your account has no password to confirm this with.');
  if (!(await verifyPassword(password, row.passwordHash, serverEnv().passwordHashCost))) {
    throw new AppError('invalid', WRONG_PASSWORD, { fieldErrors: { [field]: [WRONG_PASSWORD] } });
  }
}
