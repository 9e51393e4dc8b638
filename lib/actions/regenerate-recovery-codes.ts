'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { confirmPassword } from '../auth/confirm-password';
import { hasAuthenticatorApp, replaceRecoveryCodes, verifySecondFactor } from '../auth/two-factor';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const regenerateRecoveryCodesSchema = z.object({
  credential: z.string().trim().min(1, 'Enter a code from your authenticator app, or your password.').max(200),
});

/**
 * Replaces the user's recovery codes with 10 new ones (the old ones stop working), after a
 * current code from the app (6 digits) or the password. The new codes are in the answer, once.
 */
export const regenerateRecoveryCodes = authedAction(
  { name: 'regenerate-recovery-codes', schema: regenerateRecoveryCodesSchema },
  async ({ credential }, { user }) => {
    if (!(await hasAuthenticatorApp(db, user.id))) throw new AppError('conflict', 'Two-factor authentication is off: there are no recovery codes.');
    const origin = await requestOrigin(user);
    if (/^\d{6}$/.test(credential.replace(/\s/g, ''))) {
      const check = await verifySecondFactor(db, user.id, credential, origin.ip ?? 'unknown', origin);
      if (!check.ok) throw new AppError('invalid', check.error, { fieldErrors: { credential: [check.error] } });
    } else {
      await confirmPassword(user.id, credential, 'credential');
    }
    const recoveryCodes = await db.$transaction(async (tx) => {
      const codes = await replaceRecoveryCodes(tx, user.id);
      await recordAudit(tx, { action: 'two_factor.recovery_codes_regenerated', orgId: null, subjectUserId: user.id, origin });
      return codes;
    });
    revalidatePath('/settings/security');
    return { recoveryCodes };
  },
);
