'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { withAppLock } from '../data/locks';
import { AppError } from '../shared/errors';
import { APP_NAME_TAKEN, appDescriptionSchema, appNameSchema } from '../names';
import { authedAction, requestOrigin } from './safe-action';
import { isUniqueViolation } from '../prisma';

const updateAppSchema = z.object({
  appId: z.coerce.number().int().positive(),
  name: appNameSchema,
  description: appDescriptionSchema.optional().default(''),
});

/**
 * Renames an app and edits its description (owners and admins). A rename is recorded as
 * `app.renamed` with both names, a new description as `app.updated`, in the transaction that
 * makes the change; a name another app of the organization has is refused by the unique index.
 * The answer is the app's URL name, for the page to move to after a rename.
 */
export const updateApp = authedAction(
  { name: 'update-app', schema: updateAppSchema, permission: 'app:update', app: (input) => ({ id: input.appId }) },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    try {
      await withAppLock(access, 'app:update', async (tx, app) => {
        const renamed = app.name !== input.name;
        const described = app.description !== input.description;
        if (!renamed && !described) return;
        await tx.app.update({ where: { id: app.id }, data: { name: input.name, description: input.description }, select: { id: true } });
        const event = { orgId: access.org.id, appId: app.id, origin };
        if (renamed) await recordAudit(tx, { ...event, action: 'app.renamed', details: { previousName: app.name, name: input.name } });
        if (described) await recordAudit(tx, { ...event, action: 'app.updated' });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('conflict', APP_NAME_TAKEN, { fieldErrors: { name: [APP_NAME_TAKEN] } });
      }
      throw error;
    }
    revalidatePath(`/${access.org.name}`, 'layout');
    return { org: access.org.name, name: input.name };
  },
);
