'use server';

import { z } from 'zod';
import { db } from '../db';
import { endUserSessions } from '../auth/sessions';
import { confirmEnrollment } from '../auth/two-factor';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const confirmTwoFactorSchema = z.object({ code: z.string().trim().min(1, 'Enter the 6-digit code from your app.').max(20) });

/**
 * Confirms the pending authenticator app with a first code: two-factor authentication is on,
 * every other session of the user ends (this one stays), and the answer holds the 10 recovery
 * codes, once. The page refreshes when the user has saved them, so no revalidation here.
 */
export const confirmTwoFactor = authedAction(
  { name: 'confirm-two-factor', schema: confirmTwoFactorSchema, stepUp: true },
  async ({ code }, { user, session }) => {
    const result = await confirmEnrollment(db, user.id, code, await requestOrigin(user), (tx) =>
      endUserSessions(tx, user.id, session.id, 'two-factor-changed'),
    );
    if (!result.ok) throw new AppError('invalid', result.error, { fieldErrors: { code: [result.error] } });
    return { recoveryCodes: result.recoveryCodes };
  },
);
