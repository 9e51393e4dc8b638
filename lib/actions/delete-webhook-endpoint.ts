'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { deleteWebhookEndpoint as remove } from '../data/webhooks';
import { authedAction, requestOrigin } from './safe-action';
import { endpointIdSchema, manageWebhooks, orgSchema } from './webhook-rules';

/** Deletes a webhook endpoint and its delivery log: it receives nothing more. */
export const deleteWebhookEndpoint = authedAction(
  { name: 'delete-webhook-endpoint', schema: z.object({ org: orgSchema, endpointId: endpointIdSchema }), ...manageWebhooks },
  async (input, { user, access }) => {
    await remove(access, input.endpointId, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/settings/webhooks`, 'layout');
    return { org: access.org.name };
  },
);
