'use server';

import { revalidatePath } from 'next/cache';
import { AppError, logUnexpected } from '../shared/errors';
import { regenerateApiKeys } from '../data/api-keys';
import { appKeySlotSchema } from './key-slot-schema';
import { authedAction, requestOrigin } from './safe-action';

/** Regenerates one of an app's two keys. Owners and admins only; the old key stops working at once. */
export const regenerateApiKey = authedAction(
  { name: 'regenerate-api-key', schema: appKeySlotSchema, stepUp: true, permission: 'key:regenerate', app: (input) => ({ id: input.appId }) },
  async (input, { user, access }) => {
    let keys;
    try {
      keys = await regenerateApiKeys(access, { slots: [input.slot], origin: await requestOrigin(user) });
    } catch (error) {
      if (error instanceof AppError) throw error;
      logUnexpected('action regenerate-api-key', error);
      throw new AppError('internal', `Could not regenerate API Key ${input.slot}. The current key still works; try again.`);
    }
    revalidatePath(`/${access.org.name}/${access.app.name}/settings/general`);
    // The new key, for the page to show once, unmasked, with its Copy button.
    return { slot: input.slot, key: keys[input.slot].key };
  },
);
