'use server';

import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { confirmPassword } from '../auth/confirm-password';
import { passkeyAnswerSchema } from '../auth/passkeys';
import { endUserSessions } from '../auth/sessions';
import { checkPasskeyProof } from '../auth/step-up';
import { hasAuthenticatorApp } from '../auth/two-factor';
import { withUserLock } from '../data/locks';
import { notify } from '../notifications/notify';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const removePasskeySchema = z.object({
  passkeyId: z.string().min(1).max(64),
  // Needed to remove the last passkey.
  password: z.string().max(200).optional(),
  // The last passkey of an account without an authenticator app: an answer of that passkey to a
  // challenge of beginPasskeyCheck, as the current second factor.
  passkey: passkeyAnswerSchema.optional(),
});

const LAST_PASSKEY_NEEDS_PASSWORD = 'Enter your password to remove your last passkey.';
const LAST_FACTOR_NEEDS_PASSKEY = 'Use your passkey too: removing your last passkey turns two-factor authentication off.';

/**
 * Removes one of the user's own passkeys, audited in the same transaction. The last one needs the
 * current password; when the account has no authenticator app, it is the last second factor, so
 * it also needs a current answer of a passkey (verifyPasskeySecondFactor, counted as a wrong
 * second factor when refused), and its removal turns two-factor authentication off as turning
 * the app off does: the user is notified (`two_factor.disabled`) and their other sessions end.
 * With an authenticator app the password alone is enough: two-factor authentication stays on.
 * Two removals racing take turns on the user's row and the last one standing is counted there.
 */
export const removePasskey = authedAction(
  { name: 'remove-passkey', schema: removePasskeySchema },
  async ({ passkeyId, password, passkey: answer }, { user, session }) => {
    const passkey = await db.passkey.findFirst({ where: { id: passkeyId, userId: user.id }, select: { name: true } });
    if (!passkey) throw new AppError('not_found');
    const origin = await requestOrigin(user);
    let passwordConfirmed = false;
    let factorConfirmed = false;
    if (password) {
      await confirmPassword(user.id, password, 'password');
      passwordConfirmed = true;
      // The password first: a wrong one must not use up the passkey's answer.
      if (answer) {
        await checkPasskeyProof(user.id, answer, origin.ip ?? 'unknown', (await headers()).get('host'));
        factorConfirmed = true;
      }
    }
    await withUserLock(user.id, async (tx) => {
      const { count } = await tx.passkey.deleteMany({ where: { id: passkeyId, userId: user.id } });
      if (count === 0) throw new AppError('not_found');
      const last = (await tx.passkey.count({ where: { userId: user.id } })) === 0;
      if (last && !passwordConfirmed) {
        throw new AppError('invalid', LAST_PASSKEY_NEEDS_PASSWORD, { fieldErrors: { password: [LAST_PASSKEY_NEEDS_PASSWORD] } });
      }
      const turnsOff = last && !(await hasAuthenticatorApp(tx, user.id));
      if (turnsOff && !factorConfirmed) throw new AppError('invalid', LAST_FACTOR_NEEDS_PASSKEY);
      await recordAudit(tx, { action: 'passkey.removed', orgId: null, subjectUserId: user.id, origin, details: { name: passkey.name } });
      if (turnsOff) {
        await notify(tx, { kind: 'two_factor.disabled', userIds: [user.id], origin });
        await endUserSessions(tx, user.id, session.id, 'two-factor-changed');
      }
    });
    revalidatePath('/settings/security');
    return { name: passkey.name };
  },
);
