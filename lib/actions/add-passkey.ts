'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { registrationResponseSchema, verifyPasskeyRegistration } from '../auth/passkeys';
import { endUserSessions } from '../auth/sessions';
import { hasSecondFactor } from '../auth/two-factor';
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
 * once, origin, RP id), stored with its name, and audited in the same transaction. A new
 * sign-in credential, so it needs a recent authentication (step-up). The first second factor
 * turns two-factor authentication on: the other sessions end, as enrolling an app does.
 */
export const addPasskey = authedAction({ name: 'add-passkey', schema: addPasskeySchema, stepUp: true }, async ({ name, response }, { user, session }) => {
  const passkey = await asAction(async () => verifyPasskeyRegistration(db, user.id, response, await requestHost()));
  const origin = await requestOrigin(user);
  const turnsOn = !(await hasSecondFactor(db, user.id));
  try {
    await db.$transaction(async (tx) => {
      await tx.passkey.create({ data: { ...passkey, userId: user.id, name } });
      if (turnsOn) await endUserSessions(tx, user.id, session.id, 'two-factor-changed');
      await recordAudit(tx, { action: 'passkey.added', orgId: null, subjectUserId: user.id, origin, details: { name } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', 'This passkey is already added.');
    throw error;
  }
  revalidatePath('/settings/security');
  return { name };
});
