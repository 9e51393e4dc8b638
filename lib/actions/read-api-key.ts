'use server';

import { findAppAccess } from '../auth/access';
import { assertCan } from '../auth/permissions';
import { getApiKeysForDisplay } from '../data/apps';
import { AppError } from '../shared/errors';
import { appKeySlotSchema } from './key-slot-schema';
import { authedAction } from './safe-action';

/**
 * One key as it is now, for a General page that may have been open a while: the page checks
 * the key it shows before copying it, so it never hands out a key that no longer works.
 */
export const readApiKey = authedAction('read-api-key', appKeySlotSchema, async (input, user) => {
  const access = await findAppAccess(user.id, { id: input.appId });
  if (!access) throw new AppError('not_found');
  assertCan(access, 'key:view');
  const [view] = await getApiKeysForDisplay(access, [input.slot]);
  return view!;
});
