'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { AppError, logUnexpected } from '../errors';
import { findAppAccess } from '../auth/access';
import { assertCan } from '../auth/permissions';
import { regenerateApiKeys } from '../keys/api-keys';
import { authedAction, requestOrigin } from './safe-action';

const regenerateSchema = z.object({
  appId: z.coerce.number({ error: 'Unknown app.' }).int('Unknown app.').positive('Unknown app.'),
  slot: z.coerce.number({ error: 'Key slot must be 1 or 2.' }).refine((slot) => slot === 1 || slot === 2, 'Key slot must be 1 or 2.').transform((slot) => slot as 1 | 2),
});

/** Regenerates one of an app's two keys. Owners and admins only; the old key stops working at once. */
export const regenerateApiKey = authedAction('regenerate-api-key', regenerateSchema, async (input, user) => {
  const access = await findAppAccess(user.id, { id: input.appId });
  if (!access) throw new AppError('not_found');
  assertCan(access, 'key:regenerate');
  try {
    await regenerateApiKeys(db, serverEnv().keySecrets, access, { slots: [input.slot], origin: await requestOrigin(user) });
  } catch (error) {
    logUnexpected('action regenerate-api-key', error);
    throw new AppError('internal', `Could not regenerate API Key ${input.slot}. The current key still works; try again.`);
  }
  revalidatePath(`/${access.org.name}/${access.app.name}/settings/general`);
  return { slot: input.slot };
});
