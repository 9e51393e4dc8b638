'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { updateAppOf } from '../data/app-changes';
import { appDescriptionSchema, appNameSchema } from '../names';
import { authedAction, requestOrigin } from './safe-action';

const updateAppSchema = z.object({
  appId: z.coerce.number().int().positive(),
  name: appNameSchema,
  description: appDescriptionSchema.optional().default(''),
});

/**
 * Renames an app and edits its description (owners and admins), through the same function as
 * PATCH /v1/apps/{appId} (lib/data/app-changes.ts updateAppOf). The answer is the app's URL
 * name, for the page to move to after a rename.
 */
export const updateApp = authedAction(
  { name: 'update-app', schema: updateAppSchema, permission: 'app:update', app: (input) => ({ id: input.appId }) },
  async (input, { user, access }) => {
    await updateAppOf(access, { name: input.name, description: input.description }, await requestOrigin(user));
    revalidatePath(`/${access.org.name}`, 'layout');
    return { org: access.org.name, name: input.name };
  },
);
