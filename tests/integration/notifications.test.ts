// Security notifications, end to end against a real SMTP server started here: who gets them
// (inbox rows), what the emails say (parsed with mailparser; never a key or a token), the
// outbox's retries with backoff, preferences, and each message sent once by two workers with
// database clients of their own (FOR UPDATE SKIP LOCKED on PostgreSQL, a conditional claim on SQLite).
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { changeMemberRole } from '@/lib/actions/members';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { createToken } from '@/lib/actions/tokens';
import { markNotificationsRead } from '@/lib/actions/mark-notifications-read';
import { updateNotificationPreferences } from '@/lib/actions/update-notification-preferences';
import { notify } from '@/lib/notifications/notify';
import { emailSender } from '@/lib/outbox/email';
import { enqueue } from '@/lib/outbox/outbox';
import { backoffMs, drainOutbox, type OutboxSender } from '@/lib/outbox/worker';
import { createPrismaClient } from '@/lib/prisma';
import { findAppAccess } from '@/lib/auth/access';
import { authOptions } from '@/lib/auth/options';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';
import { regenerateApiKeys } from '@/lib/data/api-keys';
import { startMailbox } from '../support/mailbox';
import { testProvider } from '../support/test-database';
import { addMember, newApp, newUser } from './fixtures';
import { request, signInAs, signOut } from './request';

const mailbox = await startMailbox();
const received = mailbox.received;
process.env.SMTP_URL = mailbox.url;
process.env.MAIL_FROM = 'Spice Security <security@example.com>';

const senders = { email: emailSender(process.env.SMTP_URL, process.env.MAIL_FROM) };
const drain = (workerId = 'test-worker') => drainOutbox(db, testProvider, { senders, workerId });

afterAll(async () => {
  senders.email.close?.();
  await mailbox.close();
});

beforeEach(async () => {
  signOut();
  mailbox.refuse(0);
  // Each test starts from an empty outbox and mailbox.
  await drain();
  await db.outboxMessage.deleteMany();
  received.length = 0;
});

/** An organization with an owner, an admin, a member and a viewer, and an app. */
async function team() {
  const owner = await newUser('Ada');
  const admin = await newUser('Bob');
  const member = await newUser('Cy');
  const viewer = await newUser('Vi');
  const app = await newApp(owner.user, owner.org.name);
  await signInAs(owner.user);
  for (const [person, role] of [
    [admin, 'admin'],
    [member, 'member'],
    [viewer, 'viewer'],
  ] as const) {
    const added = await addMember({ org: owner.org.name, email: person.user.email, role });
    if (!added.ok) throw new Error(added.error);
  }
  return { owner: owner.user, admin: admin.user, member: member.user, viewer: viewer.user, org: owner.org, app };
}

const inboxOf = (userId: string, kind: string) => db.notification.findMany({ where: { userId, kind }, select: { facts: true } });
const mailTo = (email: string) => received.filter((r) => r.to === email);

describe(`security notifications (${testProvider})`, () => {
  it('a regenerated key and a new token: each email arrives once, says what happened, and holds neither the key nor the token', async () => {
    const { owner, admin, member, viewer, org, app } = await team();
    // The team's invitations and arrivals first (more than one batch).
    while ((await drain()).claimed > 0);
    received.length = 0;

    await signInAs(owner);
    const regenerated = await regenerateApiKey({ appId: app.id, slot: 1 });
    if (!regenerated.ok) throw new Error(regenerated.error);
    const created = await createToken({ name: 'ci-rotate', org: org.name, scope: 'apps:write', expiration: '30' });
    if (!created.ok) throw new Error(created.error);
    // Nothing is sent on the request path: the emails wait in the outbox.
    expect(received).toEqual([]);
    expect(await db.outboxMessage.count({ where: { status: 'pending' } })).toBe(3);

    expect(await drain()).toMatchObject({ sent: 3, retried: 0, failed: 0 });
    expect(await drain()).toMatchObject({ claimed: 0, sent: 0 });

    const ownerMail = mailTo(owner.email);
    expect(ownerMail.map((r) => r.mail.subject).sort()).toEqual([`API Key 1 of ${app.name} regenerated`, 'Personal access token ci-rotate created']);
    const [adminMail] = mailTo(admin.email);
    expect(mailTo(admin.email)).toHaveLength(1);
    expect(adminMail!.mail.subject).toBe(`API Key 1 of ${app.name} regenerated`);
    expect(adminMail!.mail.text).toContain(`Ada regenerated API Key 1 of the app ${app.name} in ${org.name} in the portal`);
    expect(adminMail!.mail.from?.text).toBe('"Spice Security" <security@example.com>');
    expect(ownerMail.find((r) => r.mail.subject?.startsWith('Personal'))!.mail.text).toContain(
      `You created the personal access token ci-rotate on your account for ${org.name} in the portal`,
    );
    // The member and the viewer hear nothing of the organization's keys; nobody hears twice.
    expect(mailTo(member.email)).toEqual([]);
    expect(mailTo(viewer.email)).toEqual([]);
    expect(received).toHaveLength(3);

    for (const { raw } of received) {
      expect(raw).not.toContain(regenerated.data.key);
      expect(raw).not.toContain(created.data.token);
      // Nor any other key or token, nor a fragment of one.
      expect(raw).not.toMatch(/sp[kt]_[0-9A-Za-z]{8}/);
      expect(raw).not.toContain(created.data.token.slice(-4));
    }
  });

  it('an invitation reaches the invited account without its link, and its acceptance the owners and admins', async () => {
    while ((await drain()).claimed > 0);
    received.length = 0;
    const { owner, admin, org } = await team();
    while ((await drain()).claimed > 0);
    const invitation = mailTo(admin.email).find((r) => r.mail.subject === `Invitation to join ${org.name} as admin`);
    expect(invitation!.mail.text).toContain(`${owner.name} invited you to join ${org.name} as admin`);
    expect(await inboxOf(admin.id, 'invitation.received')).toHaveLength(1);
    expect(mailTo(owner.email).map((r) => r.mail.subject)).toContain(`${admin.name} joined ${org.name} as admin`);
    // The link's token works like a password: it is in no email, inbox row or outbox row.
    for (const { raw } of received) expect(raw).not.toMatch(/spi_[0-9A-Za-z]{8}/);
    const stored = [...(await db.notification.findMany({ select: { facts: true } })), ...(await db.outboxMessage.findMany({ select: { payload: true } }))];
    expect(JSON.stringify(stored)).not.toMatch(/spi_[0-9A-Za-z]{8}/);
  });

  it('a sign-in from a new browser or address tells the account, and a familiar one does not', async () => {
    const { user } = await newUser('Nia');
    const jwt = authOptions().callbacks!.jwt!;
    const signInFrom = async (userAgent: string, address: string) => {
      request.headers.set('user-agent', userAgent);
      request.headers.set(CLIENT_ADDRESS_HEADER, address);
      await jwt({ token: {}, user: { id: user.id, name: user.name, email: user.email }, account: null, trigger: 'signIn' });
    };
    const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    await signInFrom(CHROME, '198.51.100.7');
    await signInFrom(CHROME, '198.51.100.7');
    // The first sign-in and a familiar one: nothing to tell.
    expect(await inboxOf(user.id, 'sign_in.new')).toHaveLength(0);
    await signInFrom(CHROME, '203.0.113.9');
    const [row] = await inboxOf(user.id, 'sign_in.new');
    expect(JSON.parse(row!.facts)).toMatchObject({ browser: 'Chrome 131 on Linux', ip: '203.0.113.9' });
    request.headers.delete('user-agent');
    request.headers.delete(CLIENT_ADDRESS_HEADER);
  });

  it('writes inbox rows for the people a change concerns only, the actor included', async () => {
    const { owner, admin, member, viewer, org, app } = await team();
    // Adding the member told the owner, the admin and the member; not the viewer (added after).
    expect(await inboxOf(member.id, 'member.added')).toHaveLength(1);
    expect(await inboxOf(viewer.id, 'member.added')).toHaveLength(1);
    expect(await inboxOf(owner.id, 'member.added')).toHaveLength(3);
    // The admin: their own addition, then the member's and the viewer's.
    expect(await inboxOf(admin.id, 'member.added')).toHaveLength(3);
    expect(await inboxOf(member.id, 'member.added').then((rows) => rows.map((r) => JSON.parse(r.facts).subjectId))).toEqual([member.id]);

    await signInAs(admin);
    expect((await regenerateApiKey({ appId: app.id, slot: 2 })).ok).toBe(true);
    expect(await inboxOf(owner.id, 'api_key.regenerated')).toHaveLength(1);
    expect(await inboxOf(admin.id, 'api_key.regenerated')).toHaveLength(1);
    expect(await inboxOf(member.id, 'api_key.regenerated')).toHaveLength(0);
    expect(await inboxOf(viewer.id, 'api_key.regenerated')).toHaveLength(0);

    const membership = await db.membership.findFirstOrThrow({ where: { orgId: org.id, userId: member.id }, select: { id: true } });
    expect((await changeMemberRole({ org: org.name, membershipId: membership.id, role: 'viewer' })).ok).toBe(true);
    expect(await inboxOf(member.id, 'member.role_changed')).toHaveLength(1);
    expect(await inboxOf(viewer.id, 'member.role_changed')).toHaveLength(0);
    expect(await inboxOf(owner.id, 'member.role_changed')).toHaveLength(1);

    // A token is its owner's business alone.
    const created = await createToken({ name: 'bob-ci', org: '*', scope: 'apps:read', expiration: '7' });
    expect(created.ok).toBe(true);
    expect(await inboxOf(admin.id, 'token.created')).toHaveLength(1);
    expect(await db.notification.count({ where: { kind: 'token.created', userId: { in: [owner.id, member.id, viewer.id] } } })).toBe(0);

    // Marking read touches the caller's own rows only.
    const ownerRow = await db.notification.findFirstOrThrow({ where: { userId: owner.id }, select: { id: true } });
    expect(await markNotificationsRead({ ids: [ownerRow.id] })).toEqual({ ok: true, data: { marked: 0 } });
    const unread = await db.notification.count({ where: { userId: admin.id, readAt: null } });
    expect(await markNotificationsRead({ all: true })).toEqual({ ok: true, data: { marked: unread } });
    expect(await db.notification.count({ where: { userId: owner.id, readAt: null } })).toBeGreaterThan(0);
  });

  it('a regeneration through a token names the token, and reaches the token’s owner too', async () => {
    const { owner, admin, org, app } = await team();
    await signInAs(admin);
    expect((await createToken({ name: 'ci-rotate', org: org.name, scope: 'apps:write', expiration: '7' })).ok).toBe(true);
    const token = await db.personalAccessToken.findFirstOrThrow({ where: { userId: admin.id }, select: { id: true } });
    await db.outboxMessage.deleteMany();
    const access = await findAppAccess(admin.id, { id: app.id });
    const keys = await regenerateApiKeys(access!, { slots: [1, 2], origin: { actorId: admin.id, tokenId: token.id, ip: '203.0.113.9' } });
    await drain();
    const [toOwner] = mailTo(owner.email);
    expect(toOwner!.mail.subject).toBe(`API Keys 1 and 2 of ${app.name} regenerated`);
    expect(toOwner!.mail.text).toContain(
      `Bob regenerated API Keys 1 and 2 of the app ${app.name} in ${org.name} with the personal access token ci-rotate from 203.0.113.9.`,
    );
    expect(mailTo(admin.email)[0]!.mail.text).toContain('You regenerated API Keys 1 and 2');
    for (const { raw } of received) for (const key of [keys[1].key, keys[2].key]) expect(raw).not.toContain(key);
  });

  it('respects each user’s choices, except for kinds that are always on', async () => {
    const { owner, admin, app } = await team();
    await signInAs(admin);
    expect((await updateNotificationPreferences({ choices: { 'api_key.regenerated': { inbox: true, email: false } } })).ok).toBe(true);
    expect(await updateNotificationPreferences({ choices: { 'key.leaked': { inbox: false, email: false } } })).toEqual({
      ok: false,
      error: 'This notification is always on: it cannot be turned off.',
    });
    await signInAs(owner);
    expect((await updateNotificationPreferences({ choices: { 'api_key.regenerated': { inbox: false, email: true } } })).ok).toBe(true);
    await db.outboxMessage.deleteMany();

    expect((await regenerateApiKey({ appId: app.id, slot: 1 })).ok).toBe(true);
    await drain();
    // The admin: in the inbox, no email; the owner: an email, not in the inbox.
    expect(await inboxOf(admin.id, 'api_key.regenerated')).toHaveLength(1);
    expect(mailTo(admin.email)).toEqual([]);
    expect(await inboxOf(owner.id, 'api_key.regenerated')).toHaveLength(0);
    expect(mailTo(owner.email)).toHaveLength(1);

    // A key reported leaked reaches everyone concerned whatever they chose.
    await db.notificationPreference.create({ data: { userId: admin.id, kind: 'key.leaked', inbox: false, email: false } });
    await db.$transaction((tx) =>
      notify(tx, { kind: 'key.leaked', orgId: app.orgId, facts: { app: app.name, slots: [1], source: 'found in a public repository' } }),
    );
    await drain();
    expect(await inboxOf(admin.id, 'key.leaked')).toHaveLength(1);
    expect(mailTo(admin.email).map((r) => r.mail.subject)).toEqual([`API Key 1 of ${app.name} reported leaked`]);
  });

  it('retries a refused email with exponential backoff, then sends it once; gives up after the attempts cap', async () => {
    const { user: owner } = await newUser('Rita');
    await signInAs(owner);
    await db.outboxMessage.deleteMany();
    expect((await createToken({ name: 'retry-me', org: '*', scope: 'apps:read', expiration: '7' })).ok).toBe(true);
    mailbox.refuse(2);
    const message = () =>
      db.outboxMessage.findFirstOrThrow({ select: { status: true, attempts: true, nextAttemptAt: true, lastError: true, claimedBy: true } });

    const before = Date.now();
    expect(await drain()).toMatchObject({ retried: 1, sent: 0 });
    let row = await message();
    expect(row).toMatchObject({ status: 'pending', attempts: 1, claimedBy: null });
    expect(row.lastError).toContain('451');
    const first = backoffMs(senders.email.retry, 1);
    expect(row.nextAttemptAt.getTime() - before).toBeGreaterThanOrEqual(first);
    // Not due yet: a second round sends nothing.
    expect(await drain()).toMatchObject({ claimed: 0 });

    // Time passes; the second attempt is refused too, and waits twice as long.
    await db.outboxMessage.updateMany({ data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    const second = Date.now();
    expect(await drain()).toMatchObject({ retried: 1 });
    row = await message();
    expect(row.attempts).toBe(2);
    expect(row.nextAttemptAt.getTime() - second).toBeGreaterThanOrEqual(2 * first);
    expect(row.nextAttemptAt.getTime() - second).toBeLessThan(2 * first + 5000);

    await db.outboxMessage.updateMany({ data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(await message()).toMatchObject({ status: 'sent', attempts: 3 });
    expect(mailTo(owner.email).map((r) => r.mail.subject)).toEqual(['Personal access token retry-me created']);

    // A sender that never succeeds: after its attempts, the message is marked failed and left alone.
    const broken: OutboxSender = {
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1 },
      send: async () => {
        throw new Error('connection refused');
      },
    };
    await db.outboxMessage.create({ data: { channel: 'email', kind: 'test', payload: '{}' } });
    const failing = { senders: { email: broken }, workerId: 'w' };
    expect(await drainOutbox(db, testProvider, failing)).toMatchObject({ retried: 1 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(await drainOutbox(db, testProvider, failing)).toMatchObject({ failed: 1 });
    expect(await db.outboxMessage.findFirstOrThrow({ where: { kind: 'test' }, select: { status: true, attempts: true, lastError: true } })).toEqual({
      status: 'failed',
      attempts: 2,
      lastError: 'Error: connection refused',
    });
    expect(await drainOutbox(db, testProvider, failing)).toMatchObject({ claimed: 0 });
  });

  it('leaves a message another worker holds, and takes it over once that claim has run out', async () => {
    await db.outboxMessage.create({
      data: {
        channel: 'email',
        kind: 'held',
        payload: JSON.stringify({ to: 'held@example.com', subject: 'Held', text: 'held' }),
        claimedBy: 'other',
        claimedUntil: new Date(Date.now() + 60_000),
      },
    });
    expect(await drain()).toMatchObject({ claimed: 0 });
    await db.outboxMessage.updateMany({ data: { claimedUntil: new Date(Date.now() - 1) } });
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(mailTo('held@example.com')).toHaveLength(1);
  });

  it('two workers with database clients of their own send each message exactly once', async () => {
    const count = 40;
    await db.outboxMessage.createMany({
      data: Array.from({ length: count }, (_, i) => ({
        channel: 'email',
        kind: 'load',
        payload: JSON.stringify({ to: `load-${i}@example.com`, subject: `Load ${i}`, text: `message ${i}` }),
      })),
    });
    const clients = [createPrismaClient(process.env.DATABASE_URL!), createPrismaClient(process.env.DATABASE_URL!)];
    try {
      const claims = await Promise.all(
        clients.map(async (client, n) => {
          let mine = 0;
          for (;;) {
            const round = await drainOutbox(client, testProvider, { senders, workerId: `worker-${n}`, batchSize: 3 });
            mine += round.sent;
            if (round.claimed > 0) continue;
            if ((await client.outboxMessage.count({ where: { status: 'pending' } })) === 0) return mine;
            // The rest is the other worker's: wait for it.
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
        }),
      );
      expect(claims[0]! + claims[1]!).toBe(count);
      // Both took part.
      expect(Math.min(...claims)).toBeGreaterThan(0);
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
    const subjects = received.map((r) => r.mail.subject).sort();
    expect(subjects).toEqual(Array.from({ length: count }, (_, i) => `Load ${i}`).sort());
    expect(await db.outboxMessage.count({ where: { status: 'sent' } })).toBe(count);
  });

  it('sends the messages of one order key one at a time, in order, waiting for a refused one', async () => {
    const sent: string[] = [];
    let refusedHead = false;
    const recording: OutboxSender = {
      retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 },
      send: async (payload) => {
        const { label } = payload as { label: string };
        if (label === 'a0' && !refusedHead) {
          refusedHead = true;
          throw new Error('503 from the receiver');
        }
        sent.push(label);
      },
    };
    const message = (label: string, orderKey?: string) => ({
      channel: 'email' as const,
      kind: 'ordered',
      payload: { label },
      ...(orderKey ? { orderKey } : {}),
    });
    await enqueue(db, [message('a0', 'endpoint-a'), message('a1', 'endpoint-a'), message('b0', 'endpoint-b'), message('a2', 'endpoint-a'), message('free')]);

    // One of each key at a time: a0, b0 and the unkeyed one; a0 is refused and backs off.
    expect(await drainOutbox(db, testProvider, { senders: { email: recording }, workerId: 'w1' })).toMatchObject({ claimed: 3, sent: 2, retried: 1 });
    expect(sent.sort()).toEqual(['b0', 'free']);
    // a1 and a2 wait behind a0.
    expect(await drainOutbox(db, testProvider, { senders: { email: recording }, workerId: 'w1' })).toMatchObject({ claimed: 0 });

    await db.outboxMessage.updateMany({ where: { kind: 'ordered' }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
    sent.length = 0;
    const clients = [createPrismaClient(process.env.DATABASE_URL!), createPrismaClient(process.env.DATABASE_URL!)];
    try {
      for (let round = 0; round < 10 && sent.length < 3; round++) {
        await Promise.all(clients.map((client, n) => drainOutbox(client, testProvider, { senders: { email: recording }, workerId: `w${n}` })));
      }
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
    expect(sent).toEqual(['a0', 'a1', 'a2']);
  });
});
