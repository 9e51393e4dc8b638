'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { withOrgLock } from '../data/locks';
import { serverEnv } from '../env';
import { recordAudit } from '../audit';
import { AppError } from '../shared/errors';
import { createAppKeys } from '../data/api-keys';
import { APP_NAME_TAKEN, appDescriptionSchema, appLimitReached, appNameSchema } from '../names';
import { authedAction, requestOrigin } from './safe-action';
import { isUniqueViolation } from '../prisma';

const createAppSchema = z.object({
  org: z.string().min(1).max(64),
  name: appNameSchema,
  description: appDescriptionSchema.optional().default(''),
});

/**
 * Creates an app, both of its API keys and its audit event in one transaction, while the
 * organization has fewer than MAX_APPS_PER_ORG apps. Creations in one organization take turns on
 * its row (lib/data/locks.ts), so two at once cannot both take the last place; the unique index
 * finds a duplicate name.
 */
export const createApp = authedAction(
  { name: 'create-app', schema: createAppSchema, permission: 'app:create', org: (input) => ({ name: input.org }) },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    const { keySecrets, maxAppsPerOrg } = serverEnv();
    try {
      const app = await withOrgLock(access, 'app:create', async (tx) => {
        if ((await tx.app.count({ where: { orgId: access.org.id } })) >= maxAppsPerOrg) throw new AppError('conflict', appLimitReached(maxAppsPerOrg));
        const created = await tx.app.create({
          data: { orgId: access.org.id, name: input.name, description: input.description },
          select: { id: true, name: true },
        });
        await createAppKeys(tx, created.id, user.id, keySecrets);
        await recordAudit(tx, { action: 'app.created', orgId: access.org.id, appId: created.id, origin });
        return created;
      });
      revalidatePath(`/${access.org.name}`);
      return { name: app.name };
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('conflict', APP_NAME_TAKEN, { fieldErrors: { name: [APP_NAME_TAKEN] } });
      }
      throw error;
    }
  },
);
