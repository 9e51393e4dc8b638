'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { SIGN_IN_ERRORS } from '../auth/messages';
import { beginPasskeyAuthentication } from '../auth/passkeys';
import { ticketUserId } from '../auth/sign-in';
import { AppError } from '../shared/errors';
import { asAction } from './passkey-errors';
import { publicAction } from './safe-action';
import { countSignInAttempt } from './sign-in-limit';

const beginPasskeySecondStepSchema = z.object({ ticket: z.string().min(20).max(100) });

/**
 * The sign-in's second step with a passkey: a challenge for the passkeys of the user the ticket
 * (from the first step) was issued for; the browser never names a user. The answer goes to
 * next-auth's Credentials provider with the same ticket. Counts as a sign-in attempt of the
 * address, as a passkey sign-in does; an unknown or expired ticket answers "sign-in expired".
 */
export const beginPasskeySecondStep = publicAction({ name: 'begin-passkey-second-step', schema: beginPasskeySecondStepSchema }, async ({ ticket }) => {
  const h = await headers();
  await countSignInAttempt(h);
  let userId: string;
  try {
    userId = await ticketUserId(ticket);
  } catch {
    throw new AppError('unauthorized', SIGN_IN_ERRORS.expired);
  }
  return asAction(async () => beginPasskeyAuthentication(db, userId, h.get('host')));
});
