'use server';

import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { serverEnv } from '../env';
import { AppError } from '../shared/errors';
import { limitPasswordChecks, TooManyAttempts } from '../auth/attempts';
import { hashPassword, verifyPassword } from '../auth/password';
import { endUserSessions } from '../auth/sessions';
import { authedAction, requestOrigin } from './safe-action';

const changePasswordSchema = z.object({
  currentPassword: z.string().min(1, 'Enter your current password.').max(200),
  newPassword: z.string().min(8, 'Password must be at least 8 characters.').max(200, 'Password is at most 200 characters.'),
});

/**
 * Changes the signed-in user's password after checking the current one, and ends every other
 * session of theirs (this browser stays signed in; the others are told why), with its audit event.
 */
export const changePassword = authedAction(
  { name: 'change-password', schema: changePasswordSchema },
  async ({ currentPassword, newPassword }, { user, session }) => {
    const env = serverEnv();
    try {
      await limitPasswordChecks(db, user.id);
    } catch (error) {
      if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
      throw error;
    }
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
    if (!row.passwordHash || !(await verifyPassword(currentPassword, row.passwordHash, env.passwordHashCost))) {
      throw new AppError('invalid', 'The current password is not right.', { fieldErrors: { currentPassword: ['The current password is not right.'] } });
    }
    const passwordHash = await hashPassword(newPassword, env.passwordHashCost);
    const origin = await requestOrigin(user);
    const ended = await db.$transaction(async (tx) => {
      await tx.user.update({ where: { id: user.id }, data: { passwordHash } });
      const count = await endUserSessions(tx, user.id, session.id, 'password-changed');
      await recordAudit(tx, { action: 'password.changed', orgId: null, subjectUserId: user.id, details: { sessions: count }, origin });
      return count;
    });
    return { otherSessionsEnded: ended };
  },
);
