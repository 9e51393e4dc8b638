'use server';

import { getApiKeysForDisplay } from '../data/apps';
import { appKeySlotSchema } from './key-slot-schema';
import { authedAction } from './safe-action';

/**
 * One key as it is now, for a General page that may have been open a while: the page checks
 * the key it shows before copying it, so it never hands out a key that no longer works.
 */
export const readApiKey = authedAction(
  { name: 'read-api-key', schema: appKeySlotSchema, permission: 'key:view', app: (input) => ({ id: input.appId }) },
  async (input, { access }) => {
    const [view] = await getApiKeysForDisplay(access, [input.slot]);
    return view!;
  },
);
