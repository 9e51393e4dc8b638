'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { createAppKeys } from '../keys/api-keys';
import { canManage } from '../roles';
import { Prisma } from '../generated/prisma/client';
import { authedAction, fail, NOT_FOUND, requestOrigin } from './safe-action';

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
 * Creates an app and both of its API keys in one transaction. It writes first and lets the
 * unique index find a duplicate name: on SQLite a transaction that reads before its first write
 * can fail at once when another process writes meanwhile, instead of waiting its turn.
 */
export const createApp = authedAction('create-app', createAppSchema, async (input, user) => {
  const membership = await db.membership.findFirst({
    where: { userId: user.id, org: { name: input.org } },
    select: { role: true, orgId: true },
  });
  if (!membership) return fail(NOT_FOUND);
  if (!canManage(membership.role)) return fail('Only owners and admins can create apps.');
  const origin = await requestOrigin(user);
  const { keySecrets } = serverEnv();
  try {
    const app = await db.$transaction(async (tx) => {
      const created = await tx.app.create({
        data: { orgId: membership.orgId, name: input.name, description: input.description },
        select: { id: true, name: true },
      });
      await createAppKeys(tx, created.id, user.id, keySecrets);
      await tx.auditEvent.create({
        data: { orgId: membership.orgId, appId: created.id, action: 'app.created', actorId: user.id, ip: origin.ip, userAgent: origin.userAgent },
      });
      return created;
    });
    revalidatePath(`/${input.org}`);
    return { ok: true, data: { name: app.name } };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') return fail(DUPLICATE, { name: [DUPLICATE] });
    throw error;
  }
});
