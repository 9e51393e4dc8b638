'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { AppError } from '../shared/errors';
import { ORG_NAME_TAKEN, orgNameSchema } from '../names';
import { authedAction, requestOrigin } from './safe-action';
import { isUniqueViolation } from '../prisma';

/**
 * Creates an organization whose owner is the caller, with its `org.created` audit event, in one
 * transaction. Any signed-in user may. The unique index finds a name that is taken.
 */
export const createOrganization = authedAction({ name: 'create-organization', schema: z.object({ name: orgNameSchema }) }, async (input, { user }) => {
  const origin = await requestOrigin(user);
  try {
    await db.$transaction(async (tx) => {
      const org = await tx.organization.create({
        data: { name: input.name, members: { create: { userId: user.id, role: 'owner' } } },
        select: { id: true },
      });
      await recordAudit(tx, { action: 'org.created', orgId: org.id, origin });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('conflict', ORG_NAME_TAKEN, { fieldErrors: { name: [ORG_NAME_TAKEN] } });
    }
    throw error;
  }
  revalidatePath('/', 'layout');
  return { name: input.name };
});
