'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { sendTestWebhook as sendTest } from '../data/webhooks';
import { authedAction, requestOrigin } from './safe-action';
import { endpointIdSchema, manageWebhooks, orgSchema } from './webhook-rules';

/** Queues a `webhook.test` event for one enabled endpoint; it appears in the delivery log once the worker sends it. */
export const sendTestWebhook = authedAction(
  { name: 'send-test-webhook', schema: z.object({ org: orgSchema, endpointId: endpointIdSchema }), ...manageWebhooks },
  async (input, { user, access }) => {
    const queued = await sendTest(access, input.endpointId, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/settings/webhooks/${input.endpointId}`);
    return queued;
  },
);
