'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { beginEnrollment, NEEDS_PASSWORD } from '../auth/two-factor';
import { AppError } from '../shared/errors';
import { authedAction } from './safe-action';

/**
 * Starts setting up an authenticator app: a new secret, pending until a code from the app
 * confirms it (confirmTwoFactor). The Security page then shows its QR code and the secret.
 * Starting again replaces a pending secret; a confirmed one stays until it is turned off.
 */
export const startTwoFactorSetup = authedAction({ name: 'start-two-factor-setup', schema: z.object({}), stepUp: true }, async (_input, { user }) => {
  // A second factor stands beside the password (GitHub sign-in is refused once it is on).
  const row = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
  if (!row.passwordHash) throw new AppError('invalid', NEEDS_PASSWORD);
  if (!(await beginEnrollment(db, user.id))) throw new AppError('conflict', 'Two-factor authentication is already on.');
  revalidatePath('/settings/security');
  return null;
});
