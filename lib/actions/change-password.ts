'use server';

import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { serverEnv } from '../env';
import { confirmPassword } from '../auth/confirm-password';
import { hashPassword } from '../auth/password';
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
    await confirmPassword(user.id, currentPassword, 'currentPassword');
    const passwordHash = await hashPassword(newPassword, serverEnv().passwordHashCost);
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
