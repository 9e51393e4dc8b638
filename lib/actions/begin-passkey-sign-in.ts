'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { beginPasskeySignIn as begin } from '../auth/passkeys';
import { asAction } from './passkey-errors';
import { publicAction } from './safe-action';
import { countSignInAttempt } from './sign-in-limit';

/**
 * Starts a sign-in with a passkey (signed out): a challenge for any of the portal's passkeys,
 * valid for 5 minutes and answered once through next-auth's `passkey` provider. Each counts as a
 * sign-in attempt of the address (SIGNIN_LIMIT_PER_MINUTE), so answers are bounded too.
 */
export const beginPasskeySignIn = publicAction({ name: 'begin-passkey-sign-in', schema: z.object({}) }, async () => {
  const h = await headers();
  await countSignInAttempt(h);
  return asAction(async () => begin(db, h.get('host')));
});
