'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { limitSignIn, TooManyAttempts } from '../auth/attempts';
import { SIGN_IN_ERRORS } from '../auth/messages';
import { beginPasskeyAuthentication } from '../auth/passkeys';
import { ticketUserId } from '../auth/sign-in';
import { clientAddress } from '../shared/http/client-address';
import { AppError } from '../shared/errors';
import { asAction } from './passkey-errors';
import { publicAction } from './safe-action';

const beginPasskeySecondStepSchema = z.object({ ticket: z.string().min(20).max(100) });

/**
 * The sign-in's second step with a passkey: a challenge for the passkeys of the user the ticket
 * (from the first step) was issued for; the browser never names a user. The answer goes to
 * next-auth's Credentials provider with the same ticket. Counts as a sign-in attempt of the
 * address, as a passkey sign-in does; an unknown or expired ticket answers "sign-in expired".
 */
export const beginPasskeySecondStep = publicAction({ name: 'begin-passkey-second-step', schema: beginPasskeySecondStepSchema }, async ({ ticket }) => {
  const h = await headers();
  try {
    await limitSignIn(db, clientAddress(h), serverEnv().signInLimitPerMinute);
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    throw error;
  }
  let userId: string;
  try {
    userId = await ticketUserId(ticket);
  } catch {
    throw new AppError('unauthorized', SIGN_IN_ERRORS.expired);
  }
  return asAction(async () => beginPasskeyAuthentication(db, userId, h.get('host')));
});
