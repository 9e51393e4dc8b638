'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { notify } from '../notifications/notify';
import { confirmPassword } from '../auth/confirm-password';
import { endUserSessions } from '../auth/sessions';
import { hasAuthenticatorApp, removeSecondFactor, verifySecondFactor } from '../auth/two-factor';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const disableTwoFactorSchema = z.object({
  currentPassword: z.string().min(1, 'Enter your password.').max(200),
  code: z.string().trim().min(1, 'Enter a code from your authenticator app, or a recovery code.').max(40),
});

/**
 * Turns two-factor authentication off: needs the password and a current code (or a recovery
 * code). The app's secret and the recovery codes are deleted, the change is audited, and every
 * other session of the user ends, and the user is notified, in one transaction. Anything wrong changes nothing. A
 * sensitive action: it needs a recent authentication (step-up) too.
 */
export const disableTwoFactor = authedAction(
  { name: 'disable-two-factor', schema: disableTwoFactorSchema, stepUp: true },
  async ({ currentPassword, code }, { user, session }) => {
    if (!(await hasAuthenticatorApp(db, user.id))) throw new AppError('conflict', 'Two-factor authentication is already off.');
    // The password first: a wrong one must not use up a code.
    await confirmPassword(user.id, currentPassword, 'currentPassword');
    const origin = await requestOrigin(user);
    const check = await verifySecondFactor(db, user.id, code, origin.ip ?? 'unknown', origin);
    if (!check.ok) throw new AppError('invalid', check.error, { fieldErrors: { code: [check.error] } });
    await db.$transaction(async (tx) => {
      if (!(await removeSecondFactor(tx, user.id))) throw new AppError('conflict', 'Two-factor authentication is already off.');
      await recordAudit(tx, { action: 'two_factor.disabled', orgId: null, subjectUserId: user.id, origin });
      await notify(tx, { kind: 'two_factor.disabled', userIds: [user.id], origin });
      await endUserSessions(tx, user.id, session.id, 'two-factor-changed');
    });
    revalidatePath('/settings/security');
    return null;
  },
);
