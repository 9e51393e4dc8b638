'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { resendWebhookDelivery as resend } from '../data/webhooks';
import { authedAction } from './safe-action';
import { manageWebhooks, orgSchema } from './webhook-rules';

/** Queues a delivery again, with its event's webhook-id and body (the outbox worker sends it, signed anew). */
export const resendWebhookDelivery = authedAction(
  { name: 'resend-webhook-delivery', schema: z.object({ org: orgSchema, deliveryId: z.string().min(1).max(64) }), ...manageWebhooks },
  async (input, { access }) => {
    const queued = await resend(access, input.deliveryId);
    revalidatePath(`/${access.org.name}/settings/webhooks`, 'layout');
    return queued;
  },
);
