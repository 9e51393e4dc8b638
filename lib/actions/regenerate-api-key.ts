'use server';

import { revalidatePath } from 'next/cache';
import { db } from '../db';
import { serverEnv } from '../env';
import { AppError, logUnexpected } from '../shared/errors';
import { findAppAccess } from '../auth/access';
import { assertCan } from '../auth/permissions';
import { regenerateApiKeys } from '../data/api-keys';
import { appKeySlotSchema } from './key-slot-schema';
import { authedAction, requestOrigin } from './safe-action';

/** Regenerates one of an app's two keys. Owners and admins only; the old key stops working at once. */
export const regenerateApiKey = authedAction('regenerate-api-key', appKeySlotSchema, async (input, user) => {
  const access = await findAppAccess(user.id, { id: input.appId });
  if (!access) throw new AppError('not_found');
  assertCan(access, 'key:regenerate');
  let keys;
  try {
    keys = await regenerateApiKeys(db, serverEnv().keySecrets, access, { slots: [input.slot], origin: await requestOrigin(user) });
  } catch (error) {
    if (error instanceof AppError) throw error;
    logUnexpected('action regenerate-api-key', error);
    throw new AppError('internal', `Could not regenerate API Key ${input.slot}. The current key still works; try again.`);
  }
  revalidatePath(`/${access.org.name}/${access.app.name}/settings/general`);
  // The new key, for the page to show once, unmasked, with its Copy button.
  return { slot: input.slot, key: keys[input.slot].key };
});
