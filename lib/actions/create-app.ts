'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { recordAudit } from '../audit';
import { findOrgAccess } from '../auth/access';
import { assertCan } from '../auth/permissions';
import { AppError } from '../errors';
import { createAppKeys } from '../keys/api-keys';
import { Prisma } from '../generated/prisma/client';
import { authedAction, requestOrigin } from './safe-action';

/** Route segments under /{org}/ that an app name would shadow. */
const RESERVED_APP_NAMES = new Set(['members', 'settings']);

const appNameSchema = z
  .string()
  .trim()
  .min(4, 'App name must be 4 to 63 characters.')
  .max(63, 'App name must be 4 to 63 characters.')
  .regex(/^[A-Za-z0-9-]+$/, 'App name may contain only letters, digits and hyphens.')
  .refine((name) => !RESERVED_APP_NAMES.has(name.toLowerCase()), 'This name is reserved. Choose another.');

const createAppSchema = z.object({
  org: z.string().min(1).max(64),
  name: appNameSchema,
  description: z.string().trim().max(500, 'Description is at most 500 characters.').optional().default(''),
});

const DUPLICATE = 'An app with this name already exists in this organization.';

/**
 * Creates an app, both of its API keys and its audit event in one transaction. It writes first
 * and lets the unique index find a duplicate name: on SQLite a transaction that reads before its
 * first write can fail at once when another process writes meanwhile, instead of waiting its turn.
 */
export const createApp = authedAction('create-app', createAppSchema, async (input, user) => {
  const access = await findOrgAccess(user.id, { name: input.org });
  if (!access) throw new AppError('not_found');
  assertCan(access, 'app:create');
  const origin = await requestOrigin(user);
  const { keySecrets } = serverEnv();
  try {
    const app = await db.$transaction(async (tx) => {
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
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
      throw new AppError('conflict', DUPLICATE, { fieldErrors: { name: [DUPLICATE] } });
    }
    throw error;
  }
});
