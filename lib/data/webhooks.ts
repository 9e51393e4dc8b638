import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { recordAudit, type ChangeOrigin } from '../audit';
import type { OrgAccess } from '../auth/access';
import type { Granted } from '../auth/permissions';
import { db } from '../db';
import { serverEnv } from '../env';
import { enqueue } from '../outbox/outbox';
import type { DbTx } from '../prisma';
import { AppError } from '../shared/errors';
import { displayUrl } from '../webhooks/addresses';
import { webhookBody, type WebhookMessage } from '../webhooks/emit';
import { parseEventList, TEST_EVENT_TYPE, type WebhookEventType } from '../webhooks/events';
import { encryptSigningSecret, generateSigningSecret } from '../webhooks/secret';
import { withOrgLock } from './locks';

/** Proof that the caller may manage the organization's webhooks (owners and admins). */
export type WebhookAccess = Granted<OrgAccess, 'webhook:manage'>;

/** Endpoints an organization may have. */
export const MAX_WEBHOOK_ENDPOINTS = 20;

/** Deliveries an endpoint's page shows, newest first. */
export const DELIVERY_LOG_PAGE = 50;

const NOT_FOUND = 'This webhook endpoint does not exist (any more).';

const endpointSelect = {
  id: true,
  url: true,
  description: true,
  events: true,
  enabled: true,
  createdAt: true,
  failingSince: true,
  disabledReason: true,
  createdBy: { select: { name: true } },
} as const;

/** The organization's endpoints, oldest first, never their secrets. */
export async function listWebhookEndpoints(access: WebhookAccess) {
  const rows = await db.webhookEndpoint.findMany({ where: { orgId: access.org.id }, orderBy: { createdAt: 'asc' }, select: endpointSelect });
  return rows.map((row) => ({ ...row, events: parseEventList(row.events) }));
}

/** One endpoint with its latest deliveries, or null when it is not the organization's. */
export async function findWebhookEndpoint(access: WebhookAccess, id: string) {
  const row = await db.webhookEndpoint.findFirst({
    where: { id, orgId: access.org.id },
    select: {
      ...endpointSelect,
      deliveries: {
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
        take: DELIVERY_LOG_PAGE,
        select: { id: true, eventId: true, eventType: true, attempt: true, statusCode: true, error: true, durationMs: true, responseExcerpt: true, createdAt: true },
      },
    },
  });
  return row ? { ...row, events: parseEventList(row.events) } : null;
}

export type WebhookEndpointInput = { url: string; description: string; events: WebhookEventType[] };

/** Creates an endpoint with a new signing secret: the secret is in this answer once, and never again. */
export async function createWebhookEndpoint(access: WebhookAccess, input: WebhookEndpointInput, origin: ChangeOrigin): Promise<{ id: string; secret: string }> {
  const id = randomUUID();
  const secret = generateSigningSecret();
  await withOrgLock(access, 'webhook:manage', async (tx) => {
    if ((await tx.webhookEndpoint.count({ where: { orgId: access.org.id } })) >= MAX_WEBHOOK_ENDPOINTS) {
      throw new AppError('conflict', `An organization has at most ${MAX_WEBHOOK_ENDPOINTS} webhook endpoints. Delete one first.`);
    }
    await tx.webhookEndpoint.create({
      data: {
        id,
        orgId: access.org.id,
        url: input.url,
        description: input.description,
        events: input.events.join(' '),
        secretCiphertext: encryptSigningSecret(secret, id, serverEnv().keySecrets.encryptionKey),
        createdById: origin.actorId,
      },
      select: { id: true },
    });
    await recordAudit(tx, { action: 'webhook.created', orgId: access.org.id, origin, details: { endpoint: displayUrl(input.url) } });
  });
  return { id, secret };
}

/** Runs a change on one of the organization's endpoints under the organization's lock (the role checked again). */
async function changeEndpoint<T>(access: WebhookAccess, id: string, change: (tx: DbTx, endpoint: { id: string; url: string }) => Promise<T>): Promise<T> {
  return withOrgLock(access, 'webhook:manage', async (tx) => {
    const endpoint = await tx.webhookEndpoint.findFirst({ where: { id, orgId: access.org.id }, select: { id: true, url: true } });
    if (!endpoint) throw new AppError('not_found', NOT_FOUND);
    return change(tx, endpoint);
  });
}

/** Enables or disables an endpoint. Enabling clears the failure record: it is tried afresh. */
export async function setWebhookEndpointEnabled(access: WebhookAccess, id: string, enabled: boolean, origin: ChangeOrigin): Promise<void> {
  await changeEndpoint(access, id, async (tx, endpoint) => {
    await tx.webhookEndpoint.update({ where: { id }, data: { enabled, failingSince: null, disabledReason: null }, select: { id: true } });
    await recordAudit(tx, { action: 'webhook.updated', orgId: access.org.id, origin, details: { endpoint: displayUrl(endpoint.url), enabled } });
  });
}

/** Deletes an endpoint and its delivery log; what was still queued for it is dropped when its turn comes. */
export async function deleteWebhookEndpoint(access: WebhookAccess, id: string, origin: ChangeOrigin): Promise<void> {
  await changeEndpoint(access, id, async (tx, endpoint) => {
    await tx.webhookEndpoint.delete({ where: { id }, select: { id: true } });
    await recordAudit(tx, { action: 'webhook.deleted', orgId: access.org.id, origin, details: { endpoint: displayUrl(endpoint.url) } });
  });
}

/**
 * Replaces an endpoint's signing secret: from this commit on, every delivery (retries of earlier
 * events included) is signed with the new one, and the old one verifies nothing. The new secret
 * is in this answer once.
 */
export async function rotateWebhookSecret(access: WebhookAccess, id: string, origin: ChangeOrigin): Promise<{ secret: string }> {
  const secret = generateSigningSecret();
  await changeEndpoint(access, id, async (tx, endpoint) => {
    await tx.webhookEndpoint.update({ where: { id }, data: { secretCiphertext: encryptSigningSecret(secret, id, serverEnv().keySecrets.encryptionKey) }, select: { id: true } });
    await recordAudit(tx, { action: 'webhook.secret_rotated', orgId: access.org.id, origin, details: { endpoint: displayUrl(endpoint.url) } });
  });
  return { secret };
}

/** An enabled endpoint of the organization, for queueing a delivery. */
async function enabledEndpoint(access: WebhookAccess, id: string) {
  const endpoint = await db.webhookEndpoint.findFirst({ where: { id, orgId: access.org.id }, select: { id: true, enabled: true } });
  if (!endpoint) throw new AppError('not_found', NOT_FOUND);
  if (!endpoint.enabled) throw new AppError('conflict', 'This endpoint is disabled. Enable it first.');
  return endpoint;
}

/** Test events and resends waiting per endpoint, at most: a click cannot fill the queue. */
const MANUAL_PENDING_MAX = 5;

/**
 * Queues a test event or a resend. They go in an order of their own (`<endpoint>:manual`), not
 * behind the endpoint's events and not holding them back: a receiver that refuses a test event
 * (an unknown type) must not stall the real ones behind it for a day of retries.
 */
async function queue(endpointId: string, message: Omit<WebhookMessage, 'endpointId'>) {
  const orderKey = `${endpointId}:manual`;
  const waiting = await db.outboxMessage.count({ where: { channel: 'webhook', orderKey, status: 'pending' } });
  if (waiting >= MANUAL_PENDING_MAX) throw new AppError('rate_limited', 'Test events and resends of this endpoint are still waiting to go out. Try again once they have.');
  await enqueue(db, [{ channel: 'webhook', kind: message.type, orderKey, payload: { endpointId, ...message } satisfies WebhookMessage }]);
}

/** Queues a delivery again, as it was first sent (the same webhook-id and body, signed anew): the worker sends it after what is queued before it. */
export async function resendWebhookDelivery(access: WebhookAccess, deliveryId: string): Promise<{ eventType: string }> {
  const delivery = await db.webhookDelivery.findFirst({
    where: { id: deliveryId, endpoint: { orgId: access.org.id } },
    select: { endpointId: true, eventId: true, eventType: true, payload: true },
  });
  if (!delivery) throw new AppError('not_found', 'This delivery is no longer in the log.');
  await enabledEndpoint(access, delivery.endpointId);
  await queue(delivery.endpointId, { eventId: delivery.eventId, type: delivery.eventType, body: delivery.payload });
  return { eventType: delivery.eventType };
}

/** Queues a `webhook.test` event for one endpoint: it says who sent it, and nothing else. */
export async function sendTestWebhook(access: WebhookAccess, endpointId: string, origin: ChangeOrigin): Promise<{ eventId: string }> {
  const endpoint = await enabledEndpoint(access, endpointId);
  const user = origin.actorId ? await db.user.findUnique({ where: { id: origin.actorId }, select: { name: true } }) : null;
  const eventId = `evt_test_${randomBytes(12).toString('hex')}`;
  const body = webhookBody(TEST_EVENT_TYPE, new Date(), {
    organization: { id: access.org.id, name: access.org.name },
    endpoint: { id: endpoint.id },
    actor: origin.actorId ? { type: 'user', id: origin.actorId, name: user?.name ?? null } : null,
    via: 'portal',
    message: 'A test event sent from Settings → Webhooks.',
  });
  await queue(endpoint.id, { eventId, type: TEST_EVENT_TYPE, body });
  return { eventId };
}
