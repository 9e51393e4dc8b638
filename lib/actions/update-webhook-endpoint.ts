'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { setWebhookEndpointEnabled } from '../data/webhooks';
import { authedAction, requestOrigin } from './safe-action';
import { endpointIdSchema, manageWebhooks, orgSchema } from './webhook-rules';

/** Enables or disables a webhook endpoint. Enabling one the portal disabled for failing tries it afresh. */
export const updateWebhookEndpoint = authedAction(
  {
    name: 'update-webhook-endpoint',
    schema: z.object({ org: orgSchema, endpointId: endpointIdSchema, enabled: z.enum(['true', 'false']).transform((value) => value === 'true') }),
    ...manageWebhooks,
  },
  async (input, { user, access }) => {
    await setWebhookEndpointEnabled(access, input.endpointId, input.enabled, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/settings/webhooks`, 'layout');
    return { enabled: input.enabled };
  },
);
