// Webhook events are emitted in one place: recordAudit (lib/audit.ts) calls emitWebhookEvent for
// every audit event, in the change's own transaction, whichever door the change came through (a
// portal action, the management API with a token, an OAuth client). An audit action that is a
// webhook event (./events.ts) queues one outbox message per enabled endpoint of its organization
// that wants it; the outbox worker delivers them later (./sender.ts), never on the request path.
//
// The payload follows Standard Webhooks: { type, timestamp, data }. `data` holds ids, names and
// small facts; never a key, a token or a secret: a receiver fetches a new key through the
// management API with its own credential.
import type { AuditEventInput } from '../audit';
import type { Db, DbTx } from '../prisma';
import { enqueue } from '../outbox/outbox';
import { parseEventList, WEBHOOK_EVENT_OF, type WebhookEventType } from './events';

/** What the outbox keeps for one delivery: the endpoint, the event's id and type, and the body to sign, as sent. */
export type WebhookMessage = { endpointId: string; eventId: string; type: string; body: string };

/** The actor of an event, where known. */
export type WebhookActor = { type: 'user' | 'oauth_client'; id: string; name: string | null } | null;

type Tx = Db | DbTx;

/** The webhook-id of an event: the same for every endpoint and every attempt (receivers de-duplicate on it). */
export function webhookEventId(auditId: string): string {
  return `evt_${auditId}`;
}

/** The body of a delivery, per Standard Webhooks. */
export function webhookBody(type: string, at: Date, data: Record<string, unknown>): string {
  return JSON.stringify({ type, timestamp: at.toISOString(), data });
}

/**
 * Queues the deliveries of an audit event, when it is a webhook event of an organization with
 * endpoints that want it. One query when none does (the common case); a few lookups otherwise.
 */
export async function emitWebhookEvent(tx: Tx, event: AuditEventInput, auditId: string): Promise<void> {
  const type = WEBHOOK_EVENT_OF[event.action];
  if (!type || !event.orgId) return;
  const endpoints = (await tx.webhookEndpoint.findMany({ where: { orgId: event.orgId, enabled: true }, select: { id: true, events: true } })).filter(
    (endpoint) => parseEventList(endpoint.events).includes(type),
  );
  if (endpoints.length === 0) return;
  const body = webhookBody(type, event.at ?? new Date(), await eventData(tx, type, event));
  const eventId = webhookEventId(auditId);
  await enqueue(
    tx,
    endpoints.map((endpoint) => ({
      channel: 'webhook' as const,
      kind: type,
      orderKey: endpoint.id,
      payload: { endpointId: endpoint.id, eventId, type, body } satisfies WebhookMessage,
    })),
  );
}

/** An OAuth client's name, for the actor of its changes (a deleted client keeps its row and name). */
async function oauthClientName(tx: Tx, id: string): Promise<string | null> {
  return (await tx.oAuthClient.findUnique({ where: { id }, select: { name: true } }))?.name ?? null;
}

/** Who made the change, and through which door. */
async function actorOf(tx: Tx, origin: AuditEventInput['origin']) {
  const oauthClientId = 'oauthClientId' in origin ? origin.oauthClientId : null;
  let actor: WebhookActor = null;
  if (oauthClientId) {
    actor = { type: 'oauth_client', id: oauthClientId, name: await oauthClientName(tx, oauthClientId) };
  } else if (origin.actorId) {
    const user = await tx.user.findUnique({ where: { id: origin.actorId }, select: { name: true } });
    actor = { type: 'user', id: origin.actorId, name: user?.name ?? null };
  }
  const token = origin.tokenId ? await tx.personalAccessToken.findUnique({ where: { id: origin.tokenId }, select: { id: true, name: true } }) : null;
  const via = oauthClientId ? 'oauth_client' : origin.tokenId ? 'token' : 'portal';
  return { actor, via, ...(token ? { via_token: { id: token.id, name: token.name } } : {}) };
}

async function memberOf(tx: Tx, userId: string | null | undefined) {
  if (!userId) return null;
  const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, name: true, email: true } });
  return { user_id: userId, name: user?.name ?? null, email: user?.email ?? null };
}

/** The event's `data`: the organization, the actor and door, and what the event is about. */
async function eventData(tx: Tx, type: WebhookEventType, event: AuditEventInput): Promise<Record<string, unknown>> {
  const org = await tx.organization.findUnique({ where: { id: event.orgId! }, select: { id: true, name: true } });
  const common = { organization: org ? { id: org.id, name: org.name } : { id: event.orgId, name: null }, ...(await actorOf(tx, event.origin)) };
  const details = event.details ?? {};
  const app = event.appId ? await tx.app.findUnique({ where: { id: event.appId }, select: { id: true, name: true, description: true } }) : null;
  switch (type) {
    case 'api_key.regenerated':
      return { ...common, app: { id: event.appId, name: app?.name ?? null }, slot: event.slot };
    case 'app.created':
      return { ...common, app };
    case 'app.updated':
      return {
        ...common,
        app,
        changes: event.action === 'app.renamed' ? ['name'] : ['description'],
        ...(details.previousName ? { previous_name: details.previousName } : {}),
      };
    case 'app.deleted':
      return { ...common, app: { id: details.appId ?? null, name: details.name ?? null } };
    case 'member.added':
      return { ...common, member: { ...(await memberOf(tx, event.subjectUserId)), role: details.role ?? null } };
    case 'member.updated':
      return { ...common, member: { ...(await memberOf(tx, event.subjectUserId)), role: details.role ?? null, previous_role: details.previousRole ?? null } };
    case 'member.removed':
      return {
        ...common,
        member: { ...(await memberOf(tx, event.subjectUserId)), previous_role: details.previousRole ?? null },
        reason: event.action === 'member.left' ? 'left' : 'removed',
      };
    case 'token.created': {
      const token = event.subjectTokenId
        ? await tx.personalAccessToken.findUnique({
            where: { id: event.subjectTokenId },
            select: { id: true, name: true, scopes: true, expiresAt: true, user: { select: { id: true, name: true } } },
          })
        : null;
      return {
        ...common,
        token: token
          ? { id: token.id, name: token.name, scopes: token.scopes.split(' '), expires_at: token.expiresAt?.toISOString() ?? null, user: token.user }
          : null,
      };
    }
    case 'oauth_client.created':
    case 'oauth_client.deleted': {
      const id = event.subjectOAuthClientId ?? null;
      return { ...common, oauth_client: { id, name: (id ? await oauthClientName(tx, id) : null) ?? details.name ?? null } };
    }
  }
}
