'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { TooManyAttempts } from '../auth/attempts';
import { SIGN_IN_ERRORS } from '../auth/messages';
import { startSignIn as checkPassword } from '../auth/sign-in';
import { AppError, logUnexpected } from '../shared/errors';
import { clientAddress } from '../shared/http/client-address';
import { publicAction } from './safe-action';

const startSignInSchema = z.object({
  email: z.string().trim().toLowerCase().email(SIGN_IN_ERRORS.invalid).max(254, SIGN_IN_ERRORS.invalid),
  password: z.string().min(1, SIGN_IN_ERRORS.invalid).max(200, SIGN_IN_ERRORS.invalid),
});

/**
 * The sign-in form's first step: the password (same limits and generic answer as ever). The
 * answer is a ticket for next-auth's Credentials provider, kept by the page in memory, and
 * whether a second factor is needed. No session exists until the provider accepts the ticket.
 */
export const startSignIn = publicAction({ name: 'start-sign-in', schema: startSignInSchema }, async ({ email, password }) => {
  try {
    return await checkPassword(email, password, clientAddress(await headers()));
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    if (error instanceof Error && error.message === SIGN_IN_ERRORS.invalid) throw new AppError('unauthorized', SIGN_IN_ERRORS.invalid);
    logUnexpected('start-sign-in', error);
    throw new AppError('unavailable', SIGN_IN_ERRORS.unavailable);
  }
});
