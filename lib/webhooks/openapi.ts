// The `webhooks` section of the OpenAPI document (lib/api/openapi.ts): each event's delivery, as a
// receiver gets it. tests/integration/webhooks.test.ts checks real deliveries against it.
import { TEST_EVENT_TYPE, WEBHOOK_EVENTS } from './events';

const named = (id: { type: string } | { type: string[] }) => ({
  type: 'object',
  required: ['id', 'name'],
  properties: { id, name: { type: ['string', 'null'] } },
});
const member = (extra: Record<string, unknown>) => ({
  type: 'object',
  required: ['user_id', 'name', 'email', ...Object.keys(extra)],
  properties: { user_id: { type: 'string' }, name: { type: ['string', 'null'] }, email: { type: ['string', 'null'] }, ...extra },
});
const role = { type: ['string', 'null'], enum: ['owner', 'admin', 'member', 'viewer', null] };
const app = {
  type: 'object',
  required: ['id', 'name', 'description'],
  properties: { id: { type: 'integer' }, name: { type: 'string' }, description: { type: 'string' } },
};

/** What each event's `data` has besides the organization, the actor and the door. */
const EVENT_DATA: Record<string, { required: string[]; properties: Record<string, unknown> }> = {
  'api_key.regenerated': { required: ['app', 'slot'], properties: { app: named({ type: 'integer' }), slot: { type: 'integer', enum: [1, 2] } } },
  'app.created': { required: ['app'], properties: { app } },
  'app.updated': {
    required: ['app', 'changes'],
    properties: { app, changes: { type: 'array', items: { type: 'string', enum: ['name', 'description'] } }, previous_name: { type: 'string' } },
  },
  'app.deleted': { required: ['app'], properties: { app: named({ type: ['integer', 'null'] }) } },
  'member.added': { required: ['member'], properties: { member: member({ role }) } },
  'member.updated': { required: ['member'], properties: { member: member({ role, previous_role: role }) } },
  'member.removed': {
    required: ['member', 'reason'],
    properties: { member: member({ previous_role: role }), reason: { type: 'string', enum: ['removed', 'left'] } },
  },
  'token.created': {
    required: ['token'],
    properties: {
      token: {
        type: ['object', 'null'],
        required: ['id', 'name', 'scopes', 'expires_at', 'user'],
        properties: {
          id: { type: 'string' },
          name: { type: 'string' },
          scopes: { type: 'array', items: { type: 'string' } },
          expires_at: { type: ['string', 'null'], format: 'date-time' },
          user: named({ type: 'string' }),
        },
      },
    },
  },
  'oauth_client.created': { required: ['oauth_client'], properties: { oauth_client: named({ type: ['string', 'null'] }) } },
  'oauth_client.deleted': { required: ['oauth_client'], properties: { oauth_client: named({ type: ['string', 'null'] }) } },
  [TEST_EVENT_TYPE]: {
    required: ['endpoint', 'message'],
    properties: { endpoint: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } }, message: { type: 'string' } },
  },
};

const HEADERS = {
  'webhook-id': { required: true, schema: { type: 'string' }, description: 'The event id (evt_…): the same on every attempt and endpoint' },
  'webhook-timestamp': { required: true, schema: { type: 'string' }, description: 'Unix seconds of this attempt' },
  'webhook-signature': { required: true, schema: { type: 'string' }, description: 'v1,<base64 HMAC-SHA256 of id.timestamp.body> under the whsec_ secret' },
};

/** The payload schema of one event type: Standard Webhooks' { type, timestamp, data }. */
export function webhookPayloadSchema(type: string) {
  const data = EVENT_DATA[type]!;
  return {
    type: 'object',
    required: ['type', 'timestamp', 'data'],
    properties: {
      type: { type: 'string', const: type },
      timestamp: { type: 'string', format: 'date-time' },
      data: {
        type: 'object',
        required: ['organization', 'actor', 'via', ...data.required],
        properties: {
          organization: named({ type: 'string' }),
          actor: {
            type: ['object', 'null'],
            required: ['type', 'id', 'name'],
            properties: { type: { type: 'string', enum: ['user', 'oauth_client'] }, id: { type: 'string' }, name: { type: ['string', 'null'] } },
          },
          via: { type: 'string', enum: ['portal', 'token', 'oauth_client'] },
          via_token: named({ type: 'string' }),
          ...data.properties,
        },
      },
    },
  };
}

/** OpenAPI 3.1 `webhooks`: one POST per event, signed per Standard Webhooks (docs/webhooks.md). */
export function webhooksOpenApi() {
  const descriptions: Record<string, string> = { ...WEBHOOK_EVENTS, [TEST_EVENT_TYPE]: 'Send test event, from the endpoint’s page' };
  return Object.fromEntries(
    Object.entries(descriptions).map(([type, summary]) => [
      type,
      {
        post: {
          summary,
          description: 'A signed delivery to an endpoint of Settings → Webhooks. Answer 2xx within 10 s; anything else is retried for 24 hours.',
          parameters: Object.entries(HEADERS).map(([name, header]) => ({ in: 'header', name, ...header })),
          requestBody: { required: true, content: { 'application/json': { schema: webhookPayloadSchema(type) } } },
          responses: { '2XX': { description: 'Received' } },
        },
      },
    ]),
  );
}
