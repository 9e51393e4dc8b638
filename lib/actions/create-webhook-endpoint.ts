'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { createWebhookEndpoint as create } from '../data/webhooks';
import { authedAction, requestOrigin } from './safe-action';
import { endpointSchema, manageWebhooks } from './webhook-rules';

/**
 * Adds a webhook endpoint (owners and admins, after a recent sign-in: the answer holds its signing
 * secret, shown once). The URL must be https:// and not plainly private (WEBHOOKS_ALLOW_PRIVATE lifts that).
 */
export const createWebhookEndpoint = authedAction(
  // The schema reads the configuration when the action runs (the URL rule depends on it).
  { name: 'create-webhook-endpoint', schema: z.lazy(endpointSchema), ...manageWebhooks, stepUp: true },
  async (input, { user, access }) => {
    const created = await create(access, { url: input.url, description: input.description, events: input.events }, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/settings/webhooks`);
    return created;
  },
);
