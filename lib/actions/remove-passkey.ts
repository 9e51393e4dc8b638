'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { confirmPassword } from '../auth/confirm-password';
import { withUserLock } from '../data/locks';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const removePasskeySchema = z.object({
  passkeyId: z.string().min(1).max(64),
  // Needed to remove the last passkey.
  password: z.string().max(200).optional(),
});

const LAST_PASSKEY_NEEDS_PASSWORD = 'Enter your password to remove your last passkey.';

/**
 * Removes one of the user's own passkeys, audited in the same transaction. The last one needs the
 * current password (and, once the user has another second factor, a current code of it), also
 * when two removals race: they take turns on the user's row and the last one standing is
 * counted under that lock.
 */
export const removePasskey = authedAction({ name: 'remove-passkey', schema: removePasskeySchema }, async ({ passkeyId, password }, { user }) => {
  const passkey = await db.passkey.findFirst({ where: { id: passkeyId, userId: user.id }, select: { name: true } });
  if (!passkey) throw new AppError('not_found');
  let confirmed = false;
  if (password) {
    await confirmPassword(user.id, password, 'password');
    // A current second factor goes here, once the user can have one besides passkeys (an
    // authenticator app): removing the last passkey then also needs a current code of it.
    confirmed = true;
  }
  const origin = await requestOrigin(user);
  await withUserLock(user.id, async (tx) => {
    const { count } = await tx.passkey.deleteMany({ where: { id: passkeyId, userId: user.id } });
    if (count === 0) throw new AppError('not_found');
    if (!confirmed && (await tx.passkey.count({ where: { userId: user.id } })) === 0) {
      throw new AppError('invalid', LAST_PASSKEY_NEEDS_PASSWORD, { fieldErrors: { password: [LAST_PASSKEY_NEEDS_PASSWORD] } });
    }
    await recordAudit(tx, { action: 'passkey.removed', orgId: null, subjectUserId: user.id, origin, details: { name: passkey.name } });
  });
  revalidatePath('/settings/security');
  return { name: passkey.name };
});
