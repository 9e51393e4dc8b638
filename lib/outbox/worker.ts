// The outbox worker: runs in every portal process (instrumentation.ts starts it) and sends what
// changes queued (./outbox.ts). Several instances share the table: each message is claimed by
// one worker before it is sent (FOR UPDATE SKIP LOCKED on PostgreSQL; a conditional update on
// SQLite, which has one writer at a time), so it is sent once. A claim is a lease: a worker that
// dies mid-send lets its messages go when `claimedUntil` passes, and another sends them then.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Prisma } from '../generated/prisma/client';
import type { Db } from '../prisma';
import { logUnexpected } from '../shared/errors';
import type { OutboxChannel } from './outbox';

/** How a channel's failures are retried: delays double from baseDelayMs up to maxDelayMs; after maxAttempts, the message is failed. */
export type RetryPolicy = { maxAttempts: number; baseDelayMs: number; maxDelayMs: number };

export type OutboxSender = {
  retry: RetryPolicy;
  /** Sends one message's payload; throws when it was not accepted. */
  send: (payload: unknown, message: { id: number; kind: string; attempts: number }) => Promise<void>;
  close?: () => void;
};
export type OutboxSenders = Partial<Record<OutboxChannel, OutboxSender>>;

export const OUTBOX_LIMITS = {
  /** Messages one worker claims and sends (concurrently) at a time. */
  batchSize: 10,
  /** How long a claim lasts: longer than a batch can take (each send has its own timeouts). */
  leaseMs: 5 * 60_000,
  /** How often an idle worker looks for messages. */
  pollMs: 5_000,
  /** Sent and failed messages are kept this long, then deleted. */
  keepMs: 7 * 24 * 60 * 60_000,
  /** How much of a failure's message is kept. */
  errorChars: 300,
} as const;

/** The delay before attempt `attempts + 1`, after `attempts` failures (at least 1). */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

type Claimed = { id: number; channel: string; kind: string; payload: string; attempts: number };

export type DrainOptions = {
  senders: OutboxSenders;
  /** This worker's name in `claimedBy`. */
  workerId: string;
  batchSize?: number;
  now?: Date;
};

export type DrainResult = { claimed: number; sent: number; retried: number; failed: number };

/** Claims up to a batch of due messages for this worker; each is claimed by one worker only. */
async function claim(db: Db, provider: 'sqlite' | 'postgresql', channels: string[], workerId: string, now: Date, batchSize: number): Promise<Claimed[]> {
  const until = new Date(now.getTime() + OUTBOX_LIMITS.leaseMs);
  if (provider === 'postgresql') {
    // One statement: rows another worker holds locked are skipped, not waited for.
    return db.$queryRaw<Claimed[]>(Prisma.sql`
      UPDATE "OutboxMessage" SET "claimedBy" = ${workerId}, "claimedUntil" = ${until}
       WHERE "id" IN (
         SELECT m."id" FROM "OutboxMessage" m
          WHERE m."status" = 'pending' AND m."channel" IN (${Prisma.join(channels)}) AND m."nextAttemptAt" <= ${now}
            AND (m."claimedUntil" IS NULL OR m."claimedUntil" < ${now})
            AND (m."orderKey" IS NULL OR NOT EXISTS (
              SELECT 1 FROM "OutboxMessage" e WHERE e."orderKey" = m."orderKey" AND e."status" = 'pending' AND e."id" < m."id"))
          ORDER BY m."nextAttemptAt", m."id"
          LIMIT ${batchSize}
          FOR UPDATE OF m SKIP LOCKED)
      RETURNING "id", "channel", "kind", "payload", "attempts"`);
  }
  const due = { status: 'pending', channel: { in: channels }, nextAttemptAt: { lte: now }, OR: [{ claimedUntil: null }, { claimedUntil: { lt: now } }] };
  const candidates = await db.outboxMessage.findMany({
    where: due,
    orderBy: [{ nextAttemptAt: 'asc' }, { id: 'asc' }],
    take: batchSize,
    select: { id: true, channel: true, kind: true, payload: true, attempts: true, orderKey: true },
  });
  const claimed: Claimed[] = [];
  for (const { orderKey, ...candidate } of candidates) {
    // One at a time per key, in order: not while an earlier one of its key is still to be sent.
    if (orderKey && (await db.outboxMessage.count({ where: { orderKey, status: 'pending', id: { lt: candidate.id } } })) > 0) continue;
    // Only one writer's update can still find the message due.
    const { count } = await db.outboxMessage.updateMany({ where: { id: candidate.id, ...due }, data: { claimedBy: workerId, claimedUntil: until } });
    if (count === 1) claimed.push(candidate);
  }
  return claimed;
}

function describeFailure(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.replace(/\s+/g, ' ').slice(0, OUTBOX_LIMITS.errorChars);
}

/**
 * One round: claims a batch of due messages, sends them, and records each outcome: sent; or
 * failed once more, then due again after an exponential backoff; or, past the channel's
 * attempts, failed for good. Only messages whose channel has a sender are claimed.
 */
export async function drainOutbox(db: Db, provider: 'sqlite' | 'postgresql', options: DrainOptions): Promise<DrainResult> {
  const now = options.now ?? new Date();
  const channels = Object.keys(options.senders);
  const result: DrainResult = { claimed: 0, sent: 0, retried: 0, failed: 0 };
  if (channels.length === 0) return result;
  const claimed = await claim(db, provider, channels, options.workerId, now, options.batchSize ?? OUTBOX_LIMITS.batchSize);
  result.claimed = claimed.length;
  await Promise.all(
    claimed.map(async (message) => {
      const sender = options.senders[message.channel as OutboxChannel]!;
      const attempts = message.attempts + 1;
      const mine = { id: message.id, claimedBy: options.workerId };
      try {
        await sender.send(JSON.parse(message.payload), { id: message.id, kind: message.kind, attempts });
      } catch (error) {
        const done = attempts >= sender.retry.maxAttempts;
        await db.outboxMessage.updateMany({
          where: mine,
          data: {
            attempts,
            lastError: describeFailure(error),
            claimedBy: null,
            claimedUntil: null,
            ...(done ? { status: 'failed' } : { nextAttemptAt: new Date(Date.now() + backoffMs(sender.retry, attempts)) }),
          },
        });
        result[done ? 'failed' : 'retried'] += 1;
        return;
      }
      await db.outboxMessage.updateMany({ where: mine, data: { status: 'sent', sentAt: new Date(), attempts, claimedBy: null, claimedUntil: null } });
      result.sent += 1;
    }),
  );
  return result;
}

/** Deletes sent and failed messages older than OUTBOX_LIMITS.keepMs. */
export async function pruneOutbox(db: Db, now = new Date()): Promise<number> {
  const before = new Date(now.getTime() - OUTBOX_LIMITS.keepMs);
  const { count } = await db.outboxMessage.deleteMany({ where: { status: { in: ['sent', 'failed'] }, createdAt: { lt: before } } });
  return count;
}

export type OutboxWorker = { id: string; stop: () => Promise<void> };

/**
 * Drains the outbox until stopped: a round that filled its batch or sent anything is followed at
 * once by the next (a sent message may have let the next one of its orderKey go, and a burst to
 * one webhook endpoint must not go out one per poll); otherwise it waits OUTBOX_LIMITS.pollMs. Messages survive restarts (they are rows); a failed round is
 * logged (name and code only) and tried again at the next poll.
 */
export function startOutboxWorker(db: Db, provider: 'sqlite' | 'postgresql', senders: OutboxSenders, pollMs: number = OUTBOX_LIMITS.pollMs): OutboxWorker {
  const id = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  let lastPrune = 0;
  const loop = (async () => {
    while (!stopped) {
      let again = false;
      try {
        const round = await drainOutbox(db, provider, { senders, workerId: id });
        again = round.claimed === OUTBOX_LIMITS.batchSize || round.sent > 0;
        if (Date.now() - lastPrune > 60 * 60_000) {
          lastPrune = Date.now();
          await pruneOutbox(db);
        }
      } catch (error) {
        logUnexpected('outbox worker', error);
      }
      if (again || stopped) continue;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, pollMs);
        timer.unref();
      });
    }
  })();
  return {
    id,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
      await loop;
      for (const sender of Object.values(senders)) sender.close?.();
    },
  };
}

/**
 * One worker per channel (lib/startup.ts starts these): a round waits for its slowest send, and
 * a webhook may take its 10 s timeout, so slow receivers must never hold back the emails (or the
 * other way round). Stopping stops them all.
 */
export function startOutboxWorkers(db: Db, provider: 'sqlite' | 'postgresql', senders: OutboxSenders, pollMs: number = OUTBOX_LIMITS.pollMs): OutboxWorker[] {
  return Object.entries(senders).map(([channel, sender]) => startOutboxWorker(db, provider, { [channel]: sender }, pollMs));
}
