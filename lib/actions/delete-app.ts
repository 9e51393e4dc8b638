'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { withAppLock } from '../data/locks';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const TYPE_THE_NAME = 'Type the app’s name exactly to confirm.';

const deleteAppSchema = z.object({
  appId: z.coerce.number().int().positive(),
  confirmName: z.string().max(100),
});

/**
 * Deletes an app with its two keys (owners and admins), after the caller typed its name. One
 * transaction removes the app and its key rows, so both keys stop verifying the moment it
 * commits (the runtime looks every key up on every request), and records `app.deleted` with the
 * app's name and id in the details (the app row, and so its name, is gone). Earlier audit events of the
 * app stay, without their app. The app's runtime data files are the runtime's to remove: they
 * are named by the app's id, which is never reused.
 */
export const deleteApp = authedAction(
  { name: 'delete-app', schema: deleteAppSchema, stepUp: true, permission: 'app:delete', app: (input) => ({ id: input.appId }) },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    await withAppLock(access, 'app:delete', async (tx, app) => {
      // Checked against the app as it is now: a rename meanwhile means the caller confirmed another name.
      if (input.confirmName.trim() !== app.name) throw new AppError('invalid', TYPE_THE_NAME, { fieldErrors: { confirmName: [TYPE_THE_NAME] } });
      await tx.app.delete({ where: { id: app.id }, select: { id: true } });
      await recordAudit(tx, { action: 'app.deleted', orgId: access.org.id, appId: null, details: { name: app.name, appId: app.id }, origin });
    });
    revalidatePath(`/${access.org.name}`, 'layout');
    return { org: access.org.name, name: access.app.name };
  },
);
