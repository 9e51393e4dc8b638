'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { deleteAppOf } from '../data/app-changes';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const TYPE_THE_NAME = 'Type the app’s name exactly to confirm.';

const deleteAppSchema = z.object({
  appId: z.coerce.number().int().positive(),
  confirmName: z.string().max(100),
});

/**
 * Deletes an app with its two keys (owners and admins), after the caller typed its name, through
 * the same function as DELETE /v1/apps/{appId} (lib/data/app-changes.ts deleteAppOf): both keys
 * stop verifying the moment it commits. The app's runtime data files are the runtime's to
 * remove: they are named by the app's id, which is never reused.
 */
export const deleteApp = authedAction(
  { name: 'delete-app', schema: deleteAppSchema, stepUp: true, permission: 'app:delete', app: (input) => ({ id: input.appId }) },
  async (input, { user, access }) => {
    await deleteAppOf(access, await requestOrigin(user), (app) => {
      // Checked against the app as it is now: a rename meanwhile means the caller confirmed another name.
      if (input.confirmName.trim() !== app.name) throw new AppError('invalid', TYPE_THE_NAME, { fieldErrors: { confirmName: [TYPE_THE_NAME] } });
    });
    revalidatePath(`/${access.org.name}`, 'layout');
    return { org: access.org.name, name: access.app.name };
  },
);
