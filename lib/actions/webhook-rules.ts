import { z } from 'zod';
import { serverEnv } from '../env';
import { webhookUrlSchema } from '../webhooks/addresses';
import { isWebhookEventType, WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../webhooks/events';

// What the webhook actions share: their input and the permission they need.

export const orgSchema = z.string().min(1).max(64);
export const endpointIdSchema = z.string().min(1).max(64);

/** The webhook actions act on the organization named in the input, with `webhook:manage`. */
export const manageWebhooks = { permission: 'webhook:manage', org: (input: { org: string }) => ({ name: input.org }) } as const;

/** The events an endpoint wants: a list, or the form's values joined by spaces. At least one, each known. */
const eventsSchema = z.union([z.array(z.string()), z.string().transform((value) => value.split(/[\s,]+/).filter(Boolean))]).pipe(
  z
    .array(z.string().refine(isWebhookEventType, { error: 'Unknown event type.' }))
    .min(1, 'Choose at least one event.')
    .max(WEBHOOK_EVENT_TYPES.length)
    .transform((events) => [...new Set(events)] as WebhookEventType[]),
);

/** An endpoint as the Add endpoint form sends it. The URL rule follows WEBHOOKS_ALLOW_PRIVATE. */
export function endpointSchema() {
  return z.object({
    org: orgSchema,
    url: webhookUrlSchema(serverEnv().webhooksAllowPrivate),
    description: z.string().trim().max(200, 'The description is at most 200 characters.').optional().default(''),
    events: eventsSchema,
  });
}
