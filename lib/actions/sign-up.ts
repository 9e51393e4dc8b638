'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { AppError } from '../shared/errors';
import { createUserWithOrg, EmailTakenError } from '../auth/accounts';
import { limitSignUp, TooManyAttempts } from '../auth/attempts';
import { hashPassword } from '../auth/password';
import { clientAddress } from '../shared/http/client-address';
import { publicAction } from './safe-action';

const signUpSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name.').max(100, 'Name is at most 100 characters.'),
  email: z.string().trim().toLowerCase().email('Enter a valid email address.').max(254),
  password: z.string().min(8, 'Password must be at least 8 characters.').max(200, 'Password is at most 200 characters.'),
});

/**
 * Creates an account and its personal organization. The form then signs the user in. Attempts
 * are limited per client address (SIGNUP_LIMIT_PER_HOUR), with the wait in the message.
 */
export const signUp = publicAction({ name: 'sign-up', schema: signUpSchema }, async ({ name, email, password }) => {
  const env = serverEnv();
  const requestHeaders = await headers();
  const address = clientAddress(requestHeaders);
  try {
    await limitSignUp(db, address, env.signUpLimitPerHour);
  } catch (error) {
    if (error instanceof TooManyAttempts) throw new AppError('rate_limited', error.message);
    throw error;
  }
  const passwordHash = await hashPassword(password, env.passwordHashCost);
  try {
    const { orgName } = await createUserWithOrg(db, { name, email, passwordHash, ip: address, userAgent: requestHeaders.get('user-agent') });
    return { orgName };
  } catch (error) {
    if (error instanceof EmailTakenError) {
      throw new AppError('conflict', 'An account with this email already exists. Sign in instead.', {
        fieldErrors: { email: ['An account with this email already exists.'] },
      });
    }
    throw error;
  }
});
