'use server';

import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { createUserWithOrg, EmailTakenError } from '../data/users';
import { hashPassword } from '../auth/password';
import { fail, parseInput, type ActionResult } from './safe-action';

const signUpSchema = z.object({
  name: z.string().trim().min(1, 'Enter your name.').max(100, 'Name is at most 100 characters.'),
  email: z.string().trim().toLowerCase().email('Enter a valid email address.').max(254),
  password: z.string().min(8, 'Password must be at least 8 characters.').max(200, 'Password is at most 200 characters.'),
});

/** Creates an account and its personal organization. The form then signs the user in. */
export async function signUp(input: unknown): Promise<ActionResult<{ orgName: string }>> {
  const parsed = parseInput(signUpSchema, input);
  if (!parsed.ok) return parsed;
  const { name, email, password } = parsed.data;
  try {
    const passwordHash = await hashPassword(password, serverEnv().bcryptCost);
    const { orgName } = await createUserWithOrg(db, { name, email, passwordHash });
    return { ok: true, data: { orgName } };
  } catch (error) {
    if (error instanceof EmailTakenError) {
      return fail('An account with this email already exists. Sign in instead.', {
        email: ['An account with this email already exists.'],
      });
    }
    console.error(`[action sign-up] failed: ${error instanceof Error ? error.name : 'unknown error'}`);
    return fail('Something went wrong and no account was created. Try again.');
  }
}
