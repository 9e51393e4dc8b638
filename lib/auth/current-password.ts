import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { AppError } from '../shared/errors';
import { limitPasswordChecks, TooManyAttempts } from './attempts';
import { verifyPassword } from './password';

/**
 * Checks the signed-in user's current password before a change to their account (a new
 * password, turning two-factor authentication off, new recovery codes): at most 10 checks per
 * user in 15 minutes (limitPasswordChecks). Throws an AppError on `field` when it is not right.
 */
export async function checkCurrentPassword(userId: string, password: string, field: string, message = 'The current password is not right.'): Promise<void> {
  const env = serverEnv();
  try {
    await limitPasswordChecks(db, userId);
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    throw error;
  }
  const row = await db.user.findUniqueOrThrow({ where: { id: userId }, select: { passwordHash: true } });
  if (!row.passwordHash || !(await verifyPassword(password, row.passwordHash, env.passwordHashCost))) {
    throw new AppError('invalid', message, { fieldErrors: { [field]: [message] } });
  }
}
