'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { beginPasskeyAuthentication } from '../auth/passkeys';
import { asAction } from './passkey-errors';
import { authedAction } from './safe-action';

/**
 * Starts checking one of the signed-in user's own passkeys: for "Confirm it's you" (step-up) and
 * for removing the last passkey. The answer goes to the action that needs it.
 */
export const beginPasskeyCheck = authedAction({ name: 'begin-passkey-check', schema: z.object({}) }, async (_input, { user }) => {
  const host = (await headers()).get('host');
  return asAction(async () => beginPasskeyAuthentication(db, user.id, host));
});
