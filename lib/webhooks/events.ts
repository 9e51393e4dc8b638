// The webhook events an endpoint can ask for, and which audit action makes which event. Pure
// module: the pages (the events checkboxes), the emitter and the docs share it.
import type { AuditAction } from '../audit';

/** Every event type a webhook endpoint can receive, with what it tells, as the form shows it. */
export const WEBHOOK_EVENTS = {
  'api_key.regenerated': 'An API key of an app is regenerated',
  'app.created': 'An app is created',
  'app.updated': 'An app is renamed or its description changes',
  'app.deleted': 'An app is deleted',
  'member.added': 'A member joins the organization',
  'member.updated': 'A member’s role changes',
  'member.removed': 'A member is removed or leaves',
  'token.created': 'A personal access token for the organization is created',
  'oauth_client.created': 'An OAuth client is created',
  'oauth_client.deleted': 'An OAuth client is deleted',
} as const;
export type WebhookEventType = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_TYPES = Object.keys(WEBHOOK_EVENTS) as WebhookEventType[];

/** The event "Send test event" delivers: no endpoint asks for it, every endpoint can receive it. */
export const TEST_EVENT_TYPE = 'webhook.test';

/** The audit actions that are webhook events, and the event each one is. */
export const WEBHOOK_EVENT_OF: Partial<Record<AuditAction, WebhookEventType>> = {
  'api_key.regenerated': 'api_key.regenerated',
  'app.created': 'app.created',
  'app.renamed': 'app.updated',
  'app.updated': 'app.updated',
  'app.deleted': 'app.deleted',
  'member.added': 'member.added',
  'member.role_changed': 'member.updated',
  'member.removed': 'member.removed',
  'member.left': 'member.removed',
  'token.created': 'token.created',
  'oauth_client.created': 'oauth_client.created',
  'oauth_client.deleted': 'oauth_client.deleted',
};

export function isWebhookEventType(value: string): value is WebhookEventType {
  return Object.hasOwn(WEBHOOK_EVENTS, value);
}

/** An endpoint's stored events (space-separated) as a list of known types. */
export function parseEventList(stored: string): WebhookEventType[] {
  return stored.split(' ').filter(isWebhookEventType);
}
