// The outbox: messages to send off the request path. A change writes its messages in its own
// transaction (enqueue), so a message exists if and only if the change does; the worker
// (./worker.ts) sends them later, once each, with retries. Email and webhook deliveries use it,
// each channel with its own sender and retry policy (./email.ts, lib/webhooks/sender.ts).
import type { Db, DbTx } from '../prisma';

/** Who sends a message. Add a channel here and give the worker a sender for it. */
export const OUTBOX_CHANNELS = ['email', 'webhook'] as const;
export type OutboxChannel = (typeof OUTBOX_CHANNELS)[number];

/** An email as the outbox keeps it: already written, with nothing secret in it. */
export type EmailPayload = { to: string; subject: string; text: string };

export type OutboxInput = {
  channel: OutboxChannel;
  /** What it is about (a notification kind, a webhook event), for the log and for tests. */
  kind: string;
  /** What the channel's sender needs, as JSON. Never a key, a token or a code. */
  payload: unknown;
  /** Not before (default: now). */
  notBefore?: Date;
  /** Messages with one key (a webhook endpoint's id) are sent one at a time, in the order queued. */
  orderKey?: string;
};

/** Queues messages in the caller's transaction. */
export async function enqueue(tx: Db | DbTx, messages: OutboxInput[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.outboxMessage.createMany({
    data: messages.map((message) => ({
      channel: message.channel,
      kind: message.kind,
      payload: JSON.stringify(message.payload),
      ...(message.notBefore ? { nextAttemptAt: message.notBefore } : {}),
      ...(message.orderKey ? { orderKey: message.orderKey } : {}),
    })),
  });
}
