// Signed webhooks, end to end: changes made in the portal and through the management API queue
// deliveries in their own transaction; the outbox worker delivers them to a real receiver started
// here, which verifies every one with the standardwebhooks package; retries with backoff keep the
// order per endpoint; two workers deliver each event once; the address rule, redirects, the
// 24-hour disable, secret rotation, Resend and Send test event.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { createApp } from '@/lib/actions/create-app';
import { updateApp } from '@/lib/actions/update-app';
import { deleteApp } from '@/lib/actions/delete-app';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { changeMemberRole, removeMember } from '@/lib/actions/members';
import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import { updateWebhookEndpoint } from '@/lib/actions/update-webhook-endpoint';
import { deleteWebhookEndpoint } from '@/lib/actions/delete-webhook-endpoint';
import { rotateWebhookSecret } from '@/lib/actions/rotate-webhook-secret';
import { resendWebhookDelivery } from '@/lib/actions/resend-webhook-delivery';
import { sendTestWebhook } from '@/lib/actions/send-test-webhook';
import { REFUSALS } from '@/lib/auth/permissions';
import { drainOutbox, startOutboxWorkers } from '@/lib/outbox/worker';
import { emailSender } from '@/lib/outbox/email';
import { enqueue } from '@/lib/outbox/outbox';
import { createPrismaClient, type Db } from '@/lib/prisma';
import { WEBHOOK_URL_MESSAGES, webhookUrlSchema } from '@/lib/webhooks/addresses';
import { WEBHOOK_EVENT_TYPES } from '@/lib/webhooks/events';
import { webhookSender, WEBHOOK_DISABLE_AFTER_MS } from '@/lib/webhooks/sender';
import { postWebhook } from '@/lib/webhooks/deliver';
import { ensureSelfSignedCertificate } from '@/lib/runtime/flight/tls';
import { startReceiver, type ReceivedWebhook } from '../support/webhook-receiver';
import { startMailbox } from '../support/mailbox';
import { testProvider } from '../support/test-database';
import { api, json, tokenFor } from './api-client';
import { addMember, newUser } from './fixtures';
import { signInAs } from './request';

// The receiver listens on loopback: the portal may deliver there only with this set.
process.env.WEBHOOKS_ALLOW_PRIVATE = 'true';

const receiver = await startReceiver();
const senderFor = (client: Db, allowPrivate = true, timeoutMs?: number) =>
  webhookSender(client, { allowPrivate, timeoutMs, encryptionKey: serverEnv().keySecrets.encryptionKey });
const allowed = senderFor(db);
const drain = (sender = allowed, workerId = 'test-worker') => drainOutbox(db, testProvider, { senders: { webhook: sender }, workerId });

/** Drains until nothing is due (what waits for a retry stays). */
async function drainAll(sender = allowed) {
  while ((await drain(sender)).claimed > 0);
}

/** Makes every pending message due now, as the clock would after its backoff. */
const makeDue = () => db.outboxMessage.updateMany({ where: { status: 'pending' }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });

afterAll(() => receiver.close());

beforeEach(async () => {
  receiver.answer(() => ({ status: 200, body: 'ok' }));
  await db.outboxMessage.deleteMany();
  await db.webhookEndpoint.deleteMany();
  receiver.received.length = 0;
});

/** An owner with an organization, signed in, and an endpoint of it on the receiver (path /hook by default). */
async function withEndpoint(options: { events?: string[]; path?: string } = {}) {
  const { user: owner, org } = await newUser('Olga');
  await signInAs(owner);
  const created = await createWebhookEndpoint({
    org: org.name,
    url: `${receiver.url}${options.path ?? '/hook'}`,
    description: 'secret manager',
    events: (options.events ?? WEBHOOK_EVENT_TYPES).join(' '),
  });
  if (!created.ok) throw new Error(created.error);
  return { owner, org, endpointId: created.data.id, secret: created.data.secret };
}

/** Every delivery the receiver got, verified with the secret (throws on a bad signature), as parsed payloads. */
function verified(secret: string, received: ReceivedWebhook[] = receiver.received) {
  return received.map((entry) => ({
    id: entry.headers['webhook-id']!,
    payload: new Webhook(secret).verify(entry.body, entry.headers) as { type: string; timestamp: string; data: Record<string, unknown> },
  }));
}

/** Each payload matches its event's schema in the OpenAPI document's `webhooks` (GET /v1/openapi.json). */
async function expectDocumented(payloads: { type: string }[]) {
  type Webhooks = Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
  const { webhooks } = (await api.openapi()).json as { webhooks: Webhooks };
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  for (const payload of payloads) {
    expect(webhooks[payload.type], `${payload.type} is documented`).toBeDefined();
    const validate = ajv.compile(webhooks[payload.type]!.post.requestBody.content['application/json']!.schema);
    expect(validate(payload), `${payload.type}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
}

async function newAppAs(org: string, name: string) {
  const created = await createApp({ org, name, description: 'first' });
  if (!created.ok) throw new Error(created.error);
  return db.app.findFirstOrThrow({ where: { name, org: { name: org } }, select: { id: true, name: true } });
}

describe(`webhooks (${testProvider})`, () => {
  it('delivers app, key and member events from the portal and the management API, signed, once each, with no key or secret', async () => {
    const { owner, org, secret } = await withEndpoint();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const app = await newAppAs(org.name, 'hooked');
    expect((await updateApp({ appId: app.id, name: 'hooked-2', description: 'first' })).ok).toBe(true);
    expect((await updateApp({ appId: app.id, name: 'hooked-2', description: 'second' })).ok).toBe(true);
    const portalKey = await regenerateApiKey({ appId: app.id, slot: 1 });
    if (!portalKey.ok) throw new Error(portalKey.error);
    const token = await tokenFor(owner, { name: 'ci-rotate', org: org.name, scope: 'apps:write' });
    const apiKey = await api.regenerate(app.id, { token, ...json({ key_number: 2 }) });
    expect(apiKey.status).toBe(200);
    const { user: bob } = await newUser('Bob');
    await signInAs(owner);
    expect((await addMember({ org: org.name, email: bob.email, role: 'member' })).ok).toBe(true);
    const membership = await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: org.id, userId: bob.id } }, select: { id: true } });
    expect((await changeMemberRole({ org: org.name, membershipId: membership.id, role: 'admin' })).ok).toBe(true);
    expect((await removeMember({ org: org.name, membershipId: membership.id })).ok).toBe(true);
    expect((await deleteApp({ appId: app.id, confirmName: 'hooked-2' })).ok).toBe(true);

    // Nothing is sent on the request path: the deliveries wait in the outbox.
    expect(receiver.received).toEqual([]);
    await drainAll();
    const events = verified(secret);
    expect(events.map((event) => event.payload.type)).toEqual([
      'app.created',
      'app.updated',
      'app.updated',
      'api_key.regenerated',
      'token.created',
      'api_key.regenerated',
      'member.added',
      'member.updated',
      'member.removed',
      'app.deleted',
    ]);
    // One delivery per event (distinct webhook-ids, each matching the delivery log), each a Standard Webhooks payload.
    expect(new Set(events.map((event) => event.id)).size).toBe(events.length);
    for (const { payload } of events) {
      expect(Date.parse(payload.timestamp)).toBeGreaterThan(Date.now() - 60_000);
      expect(payload.data.organization).toEqual({ id: org.id, name: org.name });
    }
    await expectDocumented(events.map((event) => event.payload));
    const [created, renamed, described, byPortal, tokenCreated, byToken, added, updated, removed, deleted] = events.map((event) => event.payload.data);
    const ownerActor = { type: 'user', id: owner.id, name: owner.name };
    expect(created).toMatchObject({ app: { id: app.id, name: 'hooked', description: 'first' }, actor: ownerActor, via: 'portal' });
    expect(renamed).toMatchObject({ app: { name: 'hooked-2' }, changes: ['name'], previous_name: 'hooked' });
    expect(described).toMatchObject({ app: { description: 'second' }, changes: ['description'] });
    expect(byPortal).toMatchObject({ app: { id: app.id, name: 'hooked-2' }, slot: 1, actor: ownerActor, via: 'portal' });
    expect(tokenCreated).toMatchObject({ token: { name: 'ci-rotate', scopes: ['apps:write'] }, actor: ownerActor });
    expect(byToken).toMatchObject({ app: { id: app.id }, slot: 2, actor: ownerActor, via: 'token', via_token: { name: 'ci-rotate' } });
    expect(added).toMatchObject({ member: { user_id: bob.id, name: 'Bob', email: bob.email, role: 'member' } });
    expect(updated).toMatchObject({ member: { user_id: bob.id, role: 'admin', previous_role: 'member' } });
    expect(removed).toMatchObject({ member: { user_id: bob.id, previous_role: 'admin' }, reason: 'removed' });
    expect(deleted).toMatchObject({ app: { id: app.id, name: 'hooked-2' } });

    // No key, token or secret in any body: a receiver fetches the new key with its own credential.
    const bodies = receiver.received.map((entry) => entry.body).join('\n');
    for (const secretValue of [portalKey.data.key, String(apiKey.json.api_key_2), token, secret, secret.slice(6)]) expect(bodies).not.toContain(secretValue);
    expect(bodies).not.toMatch(/sp[kt]_[0-9A-Za-z]{8}|whsec_/);
    const stored = JSON.stringify(await db.outboxMessage.findMany({ select: { payload: true } }));
    expect(stored).not.toMatch(/sp[kt]_[0-9A-Za-z]{8}|whsec_/);

    const log = await db.webhookDelivery.findMany({
      orderBy: { createdAt: 'asc' },
      select: { eventId: true, attempt: true, statusCode: true, responseExcerpt: true },
    });
    expect(log.map((row) => row.eventId)).toEqual(events.map((event) => event.id));
    expect(log.every((row) => row.attempt === 1 && row.statusCode === 200 && row.responseExcerpt === 'ok')).toBe(true);
  });

  it('sends only the events an endpoint asked for, and nothing to a disabled or deleted endpoint', async () => {
    const { org, endpointId, secret } = await withEndpoint({ events: ['app.deleted'] });
    await newAppAs(org.name, 'quiet');
    expect(await db.outboxMessage.count()).toBe(0);
    expect((await updateWebhookEndpoint({ org: org.name, endpointId, enabled: 'false' })).ok).toBe(true);
    const app = await db.app.findFirstOrThrow({ where: { orgId: org.id }, select: { id: true } });
    await deleteApp({ appId: app.id, confirmName: 'quiet' });
    expect(await db.outboxMessage.count()).toBe(0);
    expect((await updateWebhookEndpoint({ org: org.name, endpointId, enabled: 'true' })).ok).toBe(true);
    const again = await newAppAs(org.name, 'loud');
    await deleteApp({ appId: again.id, confirmName: 'loud' });
    // Queued, then the endpoint is deleted before the worker's turn: dropped, not sent.
    expect(await db.outboxMessage.count({ where: { status: 'pending' } })).toBe(1);
    expect((await deleteWebhookEndpoint({ org: org.name, endpointId })).ok).toBe(true);
    await drainAll();
    expect(receiver.received).toEqual([]);
    expect(verified(secret)).toEqual([]);
  });

  it('retries a receiver that fails three times, with the same webhook-id, and keeps the next event waiting behind it', async () => {
    const { org, endpointId, secret } = await withEndpoint({ events: ['app.created'] });
    receiver.answer((_, index) => (index < 3 ? { status: 500, body: `not yet ${index + 1}` } : { status: 204 }));
    await newAppAs(org.name, 'first');
    await newAppAs(org.name, 'second');

    expect(await drain()).toMatchObject({ claimed: 1, retried: 1 });
    const waiting = await db.outboxMessage.findFirstOrThrow({ where: { status: 'pending', attempts: 1 }, select: { nextAttemptAt: true } });
    expect(waiting.nextAttemptAt.getTime()).toBeGreaterThan(Date.now() + 50_000);
    // Before its backoff has passed, nothing is due: the second event waits behind the first.
    expect(await drain()).toMatchObject({ claimed: 0 });
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { failingSince: true } })).failingSince).not.toBeNull();
    for (let round = 0; round < 4; round++) {
      await makeDue();
      await drain();
    }
    const events = verified(secret);
    expect(events.map((event) => (event.payload.data.app as { name: string }).name)).toEqual(['first', 'first', 'first', 'first', 'second']);
    expect(new Set(events.slice(0, 4).map((event) => event.id)).size).toBe(1);
    expect(events[4]!.id).not.toBe(events[0]!.id);
    const log = await db.webhookDelivery.findMany({
      where: { endpointId },
      orderBy: { createdAt: 'asc' },
      select: { attempt: true, statusCode: true, responseExcerpt: true },
    });
    expect(log.map((row) => [row.attempt, row.statusCode])).toEqual([
      [1, 500],
      [2, 500],
      [3, 500],
      [4, 204],
      [1, 204],
    ]);
    expect(log[0]!.responseExcerpt).toBe('not yet 1');
    // A success ends the failing streak.
    expect((await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { failingSince: true } })).failingSince).toBeNull();
    expect(await db.outboxMessage.count({ where: { status: 'sent' } })).toBe(2);
  });

  it('two workers with database clients of their own deliver each event exactly once, in order per endpoint', async () => {
    const { owner, org, secret } = await withEndpoint({ events: ['app.created'], path: '/e0' });
    const secrets = [secret];
    for (const path of ['/e1', '/e2']) {
      const more = await createWebhookEndpoint({ org: org.name, url: `${receiver.url}${path}`, events: 'app.created' });
      if (!more.ok) throw new Error(more.error);
      secrets.push(more.data.secret);
    }
    await signInAs(owner);
    const names = Array.from({ length: 6 }, (_, i) => `burst-${i}`);
    for (const name of names) await newAppAs(org.name, name);
    expect(await db.outboxMessage.count({ where: { status: 'pending' } })).toBe(18);

    const clients = [createPrismaClient(process.env.DATABASE_URL!), createPrismaClient(process.env.DATABASE_URL!)];
    try {
      await Promise.all(
        clients.map(async (client, n) => {
          const sender = senderFor(client);
          for (;;) {
            const round = await drainOutbox(client, testProvider, { senders: { webhook: sender }, workerId: `worker-${n}`, batchSize: 2 });
            if (round.claimed > 0) continue;
            if ((await client.outboxMessage.count({ where: { status: 'pending' } })) === 0) return;
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
        }),
      );
    } finally {
      await Promise.all(clients.map((client) => client.$disconnect()));
    }
    ['/e0', '/e1', '/e2'].forEach((path, i) => {
      const events = verified(
        secrets[i]!,
        receiver.received.filter((entry) => entry.path === path),
      );
      expect(events.map((event) => (event.payload.data.app as { name: string }).name)).toEqual(names);
    });
    expect(receiver.received).toHaveLength(18);
    expect(await db.outboxMessage.count({ where: { status: 'sent' } })).toBe(18);
  });

  it('refuses private addresses unless WEBHOOKS_ALLOW_PRIVATE=true, after resolving the name, and follows no redirect', async () => {
    const strict = webhookUrlSchema(false);
    for (const url of [
      'http://hooks.example.com/x',
      'https://127.0.0.1/x',
      'https://localhost:8443/',
      'https://10.1.2.3/',
      'https://192.168.0.1/',
      'https://169.254.169.254/latest/meta-data',
      'https://100.64.0.1/',
      'https://0.0.0.0/',
      'https://224.0.0.1/',
      'https://[::1]/',
      'https://[fe80::1]/',
      'https://[fd00::1]/',
      'https://[::ffff:127.0.0.1]/',
      'https://[::ffff:10.0.0.1]/',
      'https://0x7f.1/',
      // IPv4-compatible IPv6 (::/96): loopback and the metadata address in another spelling.
      'https://[::7f00:1]/',
      'https://[::a9fe:a9fe]/',
    ]) {
      expect(strict.safeParse(url).success, url).toBe(false);
    }
    expect(strict.safeParse('https://hooks.example.com/spice?token=abc').success).toBe(true);
    expect(strict.safeParse('https://93.184.215.14/').success).toBe(true);
    expect(strict.safeParse('https://[2606:4700::1111]/').success).toBe(true);

    // The form says why.
    const { org, endpointId, secret } = await withEndpoint({ events: ['app.created'] });
    const refused = await createWebhookEndpoint({ org: org.name, url: 'ftp://hooks.example.com/', events: 'app.created' });
    expect(refused).toMatchObject({ ok: false, fieldErrors: { url: [WEBHOOK_URL_MESSAGES.notHttps] } });
    const withCredentials = await createWebhookEndpoint({ org: org.name, url: 'https://me:pw@hooks.example.com/', events: 'app.created' });
    expect(withCredentials).toMatchObject({ ok: false, fieldErrors: { url: [WEBHOOK_URL_MESSAGES.credentials] } });
    const noEvents = await createWebhookEndpoint({ org: org.name, url: 'https://hooks.example.com/', events: '' });
    expect(noEvents).toMatchObject({ ok: false, fieldErrors: { events: ['Choose at least one event.'] } });
    expect(await db.webhookEndpoint.count()).toBe(1);

    // A name that resolves to loopback (this machine's host name): refused after the lookup, nothing sent.
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { url: `https://${hostname()}:${receiver.port}/hook` } });
    await newAppAs(org.name, 'private');
    const strictSender = senderFor(db, false);
    expect(await drain(strictSender)).toMatchObject({ retried: 1 });
    // An IPv4-mapped IPv6 literal of loopback too.
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { url: `https://[::ffff:127.0.0.1]:${receiver.port}/hook` } });
    await makeDue();
    expect(await drain(strictSender)).toMatchObject({ retried: 1 });
    expect(receiver.received).toEqual([]);
    const errors = await db.webhookDelivery.findMany({ where: { endpointId }, orderBy: { createdAt: 'asc' }, select: { statusCode: true, error: true } });
    expect(errors[0]).toEqual({ statusCode: null, error: expect.stringMatching(/resolves to a private, loopback or reserved address$/) });
    expect(errors[1]).toEqual({ statusCode: null, error: WEBHOOK_URL_MESSAGES.privateAddress });

    // Allowed with WEBHOOKS_ALLOW_PRIVATE=true (this file's setting): delivered.
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { url: `${receiver.url}/hook` } });
    await makeDue();
    expect(await drain()).toMatchObject({ sent: 1 });
    expect(verified(secret).map((event) => event.payload.type)).toEqual(['app.created']);

    // A redirect is a failed attempt, not followed.
    receiver.received.length = 0;
    receiver.answer((entry) => (entry.path === '/hook' ? { status: 302, headers: { location: `${receiver.url}/elsewhere` } } : { status: 200 }));
    await newAppAs(org.name, 'redirected');
    expect(await drain()).toMatchObject({ retried: 1 });
    expect(receiver.received.map((entry) => entry.path)).toEqual(['/hook']);
    const last = await db.webhookDelivery.findFirstOrThrow({
      where: { endpointId },
      orderBy: { createdAt: 'desc' },
      select: { statusCode: true, error: true },
    });
    expect(last).toEqual({ statusCode: 302, error: 'Redirect (302) not followed' });
  });

  it('speaks TLS to the checked address with the URL’s host name for SNI and the certificate check', async () => {
    const { certFile, keyFile } = ensureSelfSignedCertificate(fs.mkdtempSync(path.join(tmpdir(), 'webhook-tls-')));
    const context = { cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) };
    const names: string[] = [];
    const server = https.createServer(
      {
        ...context,
        SNICallback: (name, done) => {
          names.push(name);
          done(null, tls.createSecureContext(context));
        },
      },
      (_req, res) => res.end('ok'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const outcome = await postWebhook(`https://localhost:${port}/hook`, {}, '{}', { allowPrivate: true });
      // The handshake reached the server under the name, and the certificate was checked (and,
      // self-signed, refused): a receiver's certificate must be valid for its host name.
      expect(names).toEqual(['localhost']);
      expect(outcome).toMatchObject({ ok: false, statusCode: null, error: expect.stringMatching(/self[- ]signed certificate/i) });
    } finally {
      server.close();
    }
  });

  it('gives up on a receiver that does not answer in time, and keeps only the start of a long answer', async () => {
    const { org, endpointId } = await withEndpoint({ events: ['app.created'] });
    // The 10 s limit, shortened for the test.
    receiver.answer(() => ({ status: 200, body: 'late', delayMs: 3000 }));
    await newAppAs(org.name, 'slow');
    const started = Date.now();
    expect(await drain(senderFor(db, true, 300))).toMatchObject({ retried: 1 });
    expect(Date.now() - started).toBeLessThan(2500);
    // Headers at once, then a body that never ends: the deadline ends it all the same.
    const stalled = http.createServer((_req, res) => {
      res.writeHead(200);
      res.write('partial');
    });
    await new Promise<void>((resolve) => stalled.listen(0, '127.0.0.1', resolve));
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { url: `http://127.0.0.1:${(stalled.address() as AddressInfo).port}/` } });
    await makeDue();
    expect(await drain(senderFor(db, true, 300))).toMatchObject({ retried: 1 });
    stalled.closeAllConnections();
    stalled.close();
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { url: `${receiver.url}/hook` } });
    receiver.answer(() => ({ status: 200, body: `${'x'.repeat(500)}${'y'.repeat(200_000)}` }));
    await makeDue();
    expect(await drain()).toMatchObject({ sent: 1 });
    const log = await db.webhookDelivery.findMany({
      where: { endpointId },
      orderBy: { createdAt: 'asc' },
      select: { statusCode: true, error: true, responseExcerpt: true },
    });
    expect(log[0]).toEqual({ statusCode: null, error: 'No answer within 0.3 s', responseExcerpt: '' });
    expect(log[1]).toEqual({ statusCode: null, error: 'No answer within 0.3 s', responseExcerpt: '' });
    expect(log[2]).toEqual({ statusCode: 200, error: null, responseExcerpt: 'x'.repeat(300) });
  });

  it('disables an endpoint that has failed for 24 hours and tells the organization’s owners and admins', async () => {
    const { owner, org, endpointId } = await withEndpoint({ events: ['app.created'] });
    const { user: admin } = await newUser('Ann');
    const { user: member } = await newUser('Max');
    await signInAs(owner);
    expect((await addMember({ org: org.name, email: admin.email, role: 'admin' })).ok).toBe(true);
    expect((await addMember({ org: org.name, email: member.email, role: 'member' })).ok).toBe(true);
    receiver.answer(() => ({ status: 503, body: 'down' }));
    await newAppAs(org.name, 'doomed');
    await drain();
    const failing = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { enabled: true, failingSince: true } });
    expect(failing.enabled).toBe(true);
    // A day of failures later (the retries in between are the same as this one).
    await db.webhookEndpoint.update({ where: { id: endpointId }, data: { failingSince: new Date(Date.now() - WEBHOOK_DISABLE_AFTER_MS - 60_000) } });
    await makeDue();
    await drain();
    expect(await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { enabled: true, disabledReason: true } })).toEqual({
      enabled: false,
      disabledReason: 'failing',
    });
    const told = await db.notification.findMany({ where: { kind: 'webhook.disabled', orgId: org.id }, select: { userId: true, facts: true } });
    expect(told.map((row) => row.userId).sort()).toEqual([owner.id, admin.id].sort());
    expect(JSON.parse(told[0]!.facts)).toMatchObject({ endpoint: `${receiver.url}/hook`, org: org.name });
    expect(await db.auditEvent.count({ where: { action: 'webhook.updated', orgId: org.id, actorId: null } })).toBe(1);
    // Disabled: no new deliveries are queued, and the one still waiting is dropped.
    await newAppAs(org.name, 'unheard');
    expect(await db.outboxMessage.count({ where: { status: 'pending' } })).toBe(1);
    const before = receiver.received.length;
    await makeDue();
    await drain();
    expect(receiver.received).toHaveLength(before);
    expect(await db.outboxMessage.count({ where: { status: 'pending' } })).toBe(0);
    // Enabling it again starts afresh.
    expect((await updateWebhookEndpoint({ org: org.name, endpointId, enabled: 'true' })).ok).toBe(true);
    expect(
      await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { enabled: true, failingSince: true, disabledReason: true } }),
    ).toEqual({
      enabled: true,
      failingSince: null,
      disabledReason: null,
    });
  });

  it('signs with the new secret once it is rotated: the old one verifies nothing', async () => {
    const { org, endpointId, secret } = await withEndpoint({ events: ['app.created'] });
    const rotated = await rotateWebhookSecret({ org: org.name, endpointId });
    if (!rotated.ok) throw new Error(rotated.error);
    expect(rotated.data.secret).toMatch(/^whsec_/);
    expect(rotated.data.secret).not.toBe(secret);
    const stored = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { secretCiphertext: true } });
    expect(stored.secretCiphertext).not.toContain(rotated.data.secret.slice(6, 20));
    await newAppAs(org.name, 'rotated');
    await drainAll();
    expect(verified(rotated.data.secret).map((event) => event.payload.type)).toEqual(['app.created']);
    expect(() => verified(secret)).toThrow(/No matching signature/);
  });

  it('Send test event and Resend queue deliveries that the worker sends, the resent one with its webhook-id and body', async () => {
    const { org, endpointId, secret } = await withEndpoint({ events: ['app.created'] });
    const sent = await sendTestWebhook({ org: org.name, endpointId });
    expect(sent.ok).toBe(true);
    expect(receiver.received).toEqual([]);
    await drainAll();
    const [test] = verified(secret);
    expect(test!.payload).toMatchObject({ type: 'webhook.test', data: { organization: { name: org.name }, endpoint: { id: endpointId } } });
    await expectDocumented([test!.payload]);
    const delivery = await db.webhookDelivery.findFirstOrThrow({ where: { endpointId }, select: { id: true, eventType: true } });
    expect(delivery.eventType).toBe('webhook.test');

    expect(await resendWebhookDelivery({ org: org.name, deliveryId: delivery.id })).toEqual({ ok: true, data: { eventType: 'webhook.test' } });
    await drainAll();
    const [first, again] = verified(secret);
    expect(again!.id).toBe(first!.id);
    expect(receiver.received[1]!.body).toBe(receiver.received[0]!.body);
    expect(await db.webhookDelivery.count({ where: { endpointId } })).toBe(2);

    // A disabled endpoint gets neither.
    await updateWebhookEndpoint({ org: org.name, endpointId, enabled: 'false' });
    expect(await sendTestWebhook({ org: org.name, endpointId })).toEqual({ ok: false, error: 'This endpoint is disabled. Enable it first.' });
    expect(await resendWebhookDelivery({ org: org.name, deliveryId: delivery.id })).toMatchObject({ ok: false });
  });

  it('sends test events and resends beside the endpoint’s events: one the receiver refuses holds none back, and at most 5 wait', async () => {
    const { org, endpointId, secret } = await withEndpoint({ events: ['app.created'] });
    receiver.answer((entry) => ({ status: JSON.parse(entry.body).type === 'webhook.test' ? 400 : 204 }));
    try {
      expect((await sendTestWebhook({ org: org.name, endpointId })).ok).toBe(true);
      await newAppAs(org.name, 'not-held-back');
      await drainAll();
      // Both went out in the same round (in either order): the app's event did not wait behind the test.
      expect(
        verified(secret)
          .map((event) => event.payload.type)
          .sort(),
      ).toEqual(['app.created', 'webhook.test']);
      // The refused test event waits for its retry; the app's event was delivered all the same.
      expect(await db.outboxMessage.count({ where: { orderKey: `${endpointId}:manual`, status: 'pending' } })).toBe(1);
      for (let i = 0; i < 4; i++) expect((await sendTestWebhook({ org: org.name, endpointId })).ok).toBe(true);
      expect(await sendTestWebhook({ org: org.name, endpointId })).toEqual({
        ok: false,
        error: 'Test events and resends of this endpoint are still waiting to go out. Try again once they have.',
      });
    } finally {
      receiver.answer(() => ({ status: 200, body: 'ok' }));
    }
  });

  it('sends an email while a webhook receiver takes its time: each channel has a worker of its own', async () => {
    const mailbox = await startMailbox();
    const email = emailSender(mailbox.url, 'Spice Security <security@example.com>');
    const { org } = await withEndpoint({ events: ['app.created'] });
    receiver.answer(() => ({ status: 200, delayMs: 5000 }));
    const workers = startOutboxWorkers(db, testProvider, { webhook: allowed, email }, 100);
    try {
      await newAppAs(org.name, 'slow-receiver');
      await expect.poll(() => receiver.received.length, { timeout: 5000 }).toBe(1);
      // The receiver holds its answer for 5 s; an email queued now goes out meanwhile.
      await enqueue(db, [{ channel: 'email', kind: 'test', payload: { to: 'ada@example.com', subject: 'New sign-in', text: 'Was it you?' } }]);
      await expect.poll(() => mailbox.received.length, { timeout: 2500, interval: 100 }).toBe(1);
      expect(await db.outboxMessage.count({ where: { channel: 'webhook', status: 'pending' } })).toBe(1);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
      receiver.answer(() => ({ status: 200, body: 'ok' }));
      await mailbox.close();
    }
  });

  it('sends a burst of events to one endpoint back to back and in order, not one per poll', async () => {
    const { org } = await withEndpoint({ events: ['app.created'] });
    for (const name of ['burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5']) await newAppAs(org.name, name);
    // An endpoint's events go one at a time; with a poll of a minute, waiting between them would take four.
    const workers = startOutboxWorkers(db, testProvider, { webhook: allowed }, 60_000);
    try {
      await expect.poll(() => receiver.received.length, { timeout: 10_000 }).toBe(5);
      expect(receiver.received.map((entry) => JSON.parse(entry.body).data.app.name)).toEqual(['burst-1', 'burst-2', 'burst-3', 'burst-4', 'burst-5']);
    } finally {
      await Promise.all(workers.map((worker) => worker.stop()));
    }
  });

  it('lets only owners and admins manage webhooks, and no one outside the organization', async () => {
    const { owner, org, endpointId } = await withEndpoint({ events: ['app.created'] });
    const { user: member } = await newUser('Mia');
    const { user: stranger } = await newUser('Sam');
    await signInAs(owner);
    expect((await addMember({ org: org.name, email: member.email, role: 'member' })).ok).toBe(true);
    await signInAs(member);
    const refusal = { ok: false, error: REFUSALS['webhook:manage'] };
    expect(await createWebhookEndpoint({ org: org.name, url: 'https://hooks.example.com/', events: 'app.created' })).toEqual(refusal);
    expect(await rotateWebhookSecret({ org: org.name, endpointId })).toEqual(refusal);
    expect(await deleteWebhookEndpoint({ org: org.name, endpointId })).toEqual(refusal);
    await signInAs(stranger);
    expect(await sendTestWebhook({ org: org.name, endpointId })).toEqual({ ok: false, error: 'Not found.' });
    expect(await db.webhookEndpoint.count()).toBe(1);
    expect(await db.outboxMessage.count()).toBe(0);
  });
});
