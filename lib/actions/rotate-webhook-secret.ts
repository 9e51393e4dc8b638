'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { rotateWebhookSecret as rotate } from '../data/webhooks';
import { authedAction, requestOrigin } from './safe-action';
import { endpointIdSchema, manageWebhooks, orgSchema } from './webhook-rules';

/** Replaces an endpoint's signing secret (after a recent sign-in): the new one is in the answer once; the old one stops verifying at once. */
export const rotateWebhookSecret = authedAction(
  { name: 'rotate-webhook-secret', schema: z.object({ org: orgSchema, endpointId: endpointIdSchema }), ...manageWebhooks, stepUp: true },
  async (input, { user, access }) => {
    const rotated = await rotate(access, input.endpointId, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/settings/webhooks/${input.endpointId}`);
    return rotated;
  },
);
