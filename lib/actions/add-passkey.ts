'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { registrationResponseSchema, verifyPasskeyRegistration } from '../auth/passkeys';
import { isUniqueViolation } from '../prisma';
import { AppError } from '../shared/errors';
import { asAction } from './passkey-errors';
import { requestHost } from './request-host';
import { authedAction, requestOrigin } from './safe-action';

const addPasskeySchema = z.object({
  name: z.string().trim().min(1, 'Enter a name for the passkey.').max(64, 'Name is at most 64 characters.'),
  response: registrationResponseSchema,
});

/**
 * Adds a passkey: the browser's answer to this user's registration challenge, verified (challenge
 * once, origin, RP id), stored with its name, and audited in the same transaction.
 */
export const addPasskey = authedAction({ name: 'add-passkey', schema: addPasskeySchema }, async ({ name, response }, { user }) => {
  const passkey = await asAction(async () => verifyPasskeyRegistration(db, user.id, response, await requestHost()));
  const origin = await requestOrigin(user);
  try {
    await db.$transaction(async (tx) => {
      await tx.passkey.create({ data: { ...passkey, userId: user.id, name } });
      await recordAudit(tx, { action: 'passkey.added', orgId: null, subjectUserId: user.id, origin, details: { name } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'This passkey is already added.');
    throw error;
  }
  revalidatePath('/settings/security');
  return { name };
});
