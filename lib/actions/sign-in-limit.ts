import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { limitSignIn, TooManyAttempts } from '../auth/attempts';
import { clientAddress } from '../shared/http/client-address';
import { AppError } from '../shared/errors';

/**
 * Counts a sign-in attempt of the request's address (SIGNIN_LIMIT_PER_MINUTE), for the public
 * actions that start one (a passkey sign-in, a passkey second step): over the limit, an
 * AppError `rate_limited` with the limiter's wording.
 */
export async function countSignInAttempt(requestHeaders: Headers): Promise<void> {
  try {
    await limitSignIn(db, clientAddress(requestHeaders), serverEnv().signInLimitPerMinute);
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    throw error;
  }
}
