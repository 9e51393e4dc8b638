// The outbox's sender of webhook deliveries (channel 'webhook'): signs each message per Standard
// Webhooks with its endpoint's current secret, POSTs it (./deliver.ts: 10 s, checked addresses,
// no redirects), and logs the attempt in the endpoint's delivery log. The worker (lib/outbox)
// claims each message once across instances and sends one message per endpoint at a time, in
// order; a failed attempt is retried with exponential backoff for about 24 hours. An endpoint
// that has failed for 24 hours is disabled, and its organization's owners and admins are told.
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { Db } from '../prisma';
import type { OutboxSender, RetryPolicy } from '../outbox/worker';
import { notify } from '../notifications/notify';
import { BY_THE_PORTAL, recordAudit } from '../audit';
import { displayUrl } from './addresses';
import { postWebhook, type DeliveryOutcome } from './deliver';
import { decryptSigningSecret } from './secret';

/** 1, 2, 4 … minutes, then every 4 hours: the 14th attempt comes about 24 hours after the first, and is the last. */
export const WEBHOOK_RETRY: RetryPolicy = { maxAttempts: 14, baseDelayMs: 60_000, maxDelayMs: 4 * 60 * 60_000 };

/** An endpoint whose deliveries have failed this long, without a success between, is disabled. */
export const WEBHOOK_DISABLE_AFTER_MS = 24 * 60 * 60_000;

/** The delivery log keeps this long of each endpoint's attempts. */
export const DELIVERY_LOG_KEEP_MS = 30 * 24 * 60 * 60_000;

export const DISABLED_FAILING = 'failing';

const messageSchema = z.object({ endpointId: z.string(), eventId: z.string(), type: z.string(), body: z.string() });

export type WebhookSenderOptions = { allowPrivate: boolean; encryptionKey: Buffer; timeoutMs?: number };

/** Refused by the receiver, or not reached: the worker retries it. The message says why (no secret). */
export class DeliveryFailed extends Error {}

export function webhookSender(db: Db, options: WebhookSenderOptions): OutboxSender {
  return {
    retry: WEBHOOK_RETRY,
    async send(payload, message) {
      const { endpointId, eventId, type, body } = messageSchema.parse(payload);
      const endpoint = await db.webhookEndpoint.findUnique({
        where: { id: endpointId },
        select: { id: true, orgId: true, url: true, enabled: true, failingSince: true, secretCiphertext: true },
      });
      // Deleted since it was queued: nothing to deliver. Disabled: not sent, but in the delivery
      // log, so that it can be resent once the endpoint is enabled again.
      if (!endpoint) return;
      if (!endpoint.enabled) {
        const outcome = { ok: false, statusCode: null, error: 'Not sent: the endpoint is disabled', durationMs: 0, excerpt: '' };
        await logAttempt(db, { endpointId, eventId, type, body, attempt: message.attempts, outcome });
        return;
      }
      const secret = decryptSigningSecret(endpoint.secretCiphertext, endpoint.id, options.encryptionKey);
      const sentAt = new Date();
      const headers = {
        'webhook-id': eventId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': new Webhook(secret).sign(eventId, sentAt, body),
      };
      const outcome = await postWebhook(endpoint.url, headers, body, { allowPrivate: options.allowPrivate, timeoutMs: options.timeoutMs });
      await logAttempt(db, { endpointId, eventId, type, body, attempt: message.attempts, outcome });
      if (outcome.ok) {
        if (endpoint.failingSince) await db.webhookEndpoint.updateMany({ where: { id: endpoint.id }, data: { failingSince: null } });
        return;
      }
      await recordFailure(db, endpoint, new Date());
      throw new DeliveryFailed(outcome.error ?? `HTTP ${outcome.statusCode}`);
    },
  };
}

async function logAttempt(db: Db, entry: { endpointId: string; eventId: string; type: string; body: string; attempt: number; outcome: DeliveryOutcome }) {
  const { outcome } = entry;
  await db.webhookDelivery.create({
    data: {
      endpointId: entry.endpointId,
      eventId: entry.eventId,
      eventType: entry.type,
      attempt: entry.attempt,
      statusCode: outcome.statusCode,
      error: outcome.error,
      durationMs: outcome.durationMs,
      responseExcerpt: outcome.excerpt,
      payload: entry.body,
    },
    select: { id: true },
  });
  await db.webhookDelivery.deleteMany({ where: { endpointId: entry.endpointId, createdAt: { lt: new Date(Date.now() - DELIVERY_LOG_KEEP_MS) } } });
}

/**
 * Notes a failure: the endpoint is failing since its first failure after a success; once that
 * is 24 hours ago, it is disabled and its organization's owners and admins are told, once (the
 * update that disables it is the one that notifies, also with several workers).
 */
async function recordFailure(db: Db, endpoint: { id: string; orgId: string; url: string; failingSince: Date | null }, now: Date): Promise<void> {
  if (!endpoint.failingSince) {
    await db.webhookEndpoint.updateMany({ where: { id: endpoint.id, failingSince: null }, data: { failingSince: now } });
    return;
  }
  if (now.getTime() - endpoint.failingSince.getTime() < WEBHOOK_DISABLE_AFTER_MS) return;
  await db.$transaction(async (tx) => {
    const { count } = await tx.webhookEndpoint.updateMany({
      where: { id: endpoint.id, enabled: true },
      data: { enabled: false, disabledReason: DISABLED_FAILING },
    });
    if (count === 0) return;
    const shown = displayUrl(endpoint.url);
    await recordAudit(tx, {
      action: 'webhook.updated',
      orgId: endpoint.orgId,
      origin: BY_THE_PORTAL,
      details: { endpoint: shown, enabled: false, reason: DISABLED_FAILING },
    });
    await notify(tx, { kind: 'webhook.disabled', orgId: endpoint.orgId, facts: { endpoint: shown } });
  });
}
