'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { regenerateApiKeys } from '../keys/api-keys';
import { canManage } from '../roles';
import { authedAction, fail, NOT_FOUND, requestOrigin } from './safe-action';

const regenerateSchema = z.object({
  appId: z.coerce.number({ error: 'Unknown app.' }).int('Unknown app.').positive('Unknown app.'),
  slot: z.coerce.number({ error: 'Key slot must be 1 or 2.' }).refine((slot) => slot === 1 || slot === 2, 'Key slot must be 1 or 2.').transform((slot) => slot as 1 | 2),
});

/** Regenerates one of an app's two keys. Owners and admins only; the old key stops working at once. */
export const regenerateApiKey = authedAction('regenerate-api-key', regenerateSchema, async (input, user) => {
  const app = await db.app.findFirst({
    where: { id: input.appId, org: { members: { some: { userId: user.id } } } },
    select: { id: true, name: true, org: { select: { id: true, name: true, members: { where: { userId: user.id }, select: { role: true } } } } },
  });
  if (!app) return fail(NOT_FOUND);
  if (!canManage(app.org.members[0]!.role)) return fail('Only owners and admins can regenerate keys.');
  try {
    await regenerateApiKeys(db, serverEnv().keySecrets, {
      orgId: app.org.id,
      appId: app.id,
      slots: [input.slot],
      origin: await requestOrigin(user),
    });
  } catch (error) {
    console.error(`[action regenerate-api-key] failed: ${error instanceof Error ? error.name : 'unknown error'}`);
    return fail(`Could not regenerate API Key ${input.slot}. The current key still works; try again.`);
  }
  revalidatePath(`/${app.org.name}/${app.name}/settings/general`);
  return { ok: true, data: { slot: input.slot } };
});
