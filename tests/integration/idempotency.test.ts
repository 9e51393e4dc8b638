// Idempotency-Key on the management API (lib/api/idempotency.ts): real route handlers, real database.
import Ajv2020 from 'ajv/dist/2020';
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { decryptSecret, idempotencyContext } from '@/lib/shared/keys/crypto';
import { api, json, tokenFor } from './api-client';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';

let alice: Awaited<ReturnType<typeof newUser>>;
let writer: string;

beforeAll(async () => {
  alice = await newUser('Idem');
  writer = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:write', name: 'ci-rotate' });
});

/** A JSON body with an Idempotency-Key. */
const keyed = (key: string, body: unknown) => {
  const request = json(body);
  return { body: request.body, headers: { ...request.headers, 'idempotency-key': key } };
};
const regenerations = (appId: number) => db.auditEvent.count({ where: { appId, action: 'api_key.regenerated' } });

describe('retries', () => {
  it('answers a retry with the first answer: the same keys, one rotation, marked as replayed', async () => {
    const app = await newApp(alice.user, alice.org.name, 'retry-app');
    const first = await api.regenerate(app.id, { token: writer, ...keyed('rotate-1', { key_number: 2 }) });
    expect(first.status).toBe(200);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const keys = await currentKeys(app.id);
    expect(first.json).toEqual({ api_key: keys[1], api_key_2: keys[2], regenerated_key: 2 });

    const retry = await api.regenerate(app.id, { token: writer, ...keyed('rotate-1', { key_number: 2 }) });
    expect([retry.status, retry.text]).toEqual([200, first.text]);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('content-type')).toBe(first.headers.get('content-type'));
    expect(retry.headers.get('cache-control')).toBe('no-store');
    expect(await currentKeys(app.id)).toEqual(keys);
    expect(await regenerations(app.id)).toBe(1);

    // Without a key, or with another one, a request runs again.
    expect((await api.regenerate(app.id, { token: writer, ...keyed('rotate-2', { key_number: 2 }) })).json.api_key_2).not.toBe(keys[2]);
    expect(await regenerations(app.id)).toBe(2);
  });

  it('refuses the same key with another body (422) and changes nothing', async () => {
    const app = await newApp(alice.user, alice.org.name, 'reuse-app');
    expect((await api.regenerate(app.id, { token: writer, ...keyed('reuse', { key_number: 1 }) })).status).toBe(200);
    const keys = await currentKeys(app.id);
    const other = await api.regenerate(app.id, { token: writer, ...keyed('reuse', { key_number: 0 }) });
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ code: 'idempotency_key_reused' });
    // Another path (another app) with the same key is another request too.
    const elsewhere = await newApp(alice.user, alice.org.name, 'reuse-other');
    expect((await api.regenerate(elsewhere.id, { token: writer, ...keyed('reuse', { key_number: 1 }) })).status).toBe(422);
    expect(await currentKeys(app.id)).toEqual(keys);
    expect(await regenerations(app.id)).toBe(1);
    expect(await regenerations(elsewhere.id)).toBe(0);
  });

  it('scopes keys to the credential: another token with the same key runs its own request', async () => {
    const app = await newApp(alice.user, alice.org.name, 'scoped-app');
    const other = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:write', name: 'second-job' });
    const mine = await api.regenerate(app.id, { token: writer, ...keyed('shared-key', {}) });
    const theirs = await api.regenerate(app.id, { token: other, ...keyed('shared-key', {}) });
    expect([mine.status, theirs.status]).toEqual([200, 200]);
    expect(theirs.headers.get('idempotent-replayed')).toBeNull();
    expect(theirs.json.api_key).not.toBe(mine.json.api_key);
    expect(await regenerations(app.id)).toBe(2);
  });

  it('keeps no refusal: the caller fixes its cause and retries with the same key', async () => {
    const app = await newApp(alice.user, alice.org.name, 'refused-app');
    const bad = await api.regenerate(app.id, { token: writer, ...keyed('fix-and-retry', { key_number: 7 }) });
    expect([bad.status, bad.json.code]).toEqual([400, 'invalid_request']);
    expect(await db.idempotentRequest.count({ where: { key: 'fix-and-retry' } })).toBe(0);
    const missing = await api.regenerate(424242, { token: writer, ...keyed('missing-app', {}) });
    expect(missing.status).toBe(404);
    expect((await api.regenerate(424242, { token: writer, ...keyed('missing-app', {}) })).headers.get('idempotent-replayed')).toBeNull();
    expect(await db.idempotentRequest.count({ where: { key: 'missing-app' } })).toBe(0);
  });

  it('replays a DELETE: the retry of a deleted app answers 204 again', async () => {
    const app = await newApp(alice.user, alice.org.name, 'deleted-once');
    const first = await api.deleteApp(app.id, { token: writer, headers: { 'idempotency-key': 'delete-once' } });
    const retry = await api.deleteApp(app.id, { token: writer, headers: { 'idempotency-key': 'delete-once' } });
    expect([first.status, retry.status, retry.headers.get('idempotent-replayed')]).toEqual([204, 204, 'true']);
    expect(await db.auditEvent.count({ where: { action: 'app.deleted', details: { contains: 'deleted-once' } } })).toBe(1);
  });

  it('replays new keys only to a caller who may still see them', async () => {
    const { user: bob } = await newUser('Bob');
    await signInAs(alice.user);
    expect((await addMember({ org: alice.org.name, email: bob.email, role: 'admin' })).ok).toBe(true);
    const bobs = await tokenFor(bob, { org: alice.org.name, scope: 'apps:write', name: 'bobs-job' });
    const app = await newApp(alice.user, alice.org.name, 'demoted-app');
    expect((await api.regenerate(app.id, { token: bobs, ...keyed('before-demotion', {}) })).status).toBe(200);
    const membership = await db.membership.findFirstOrThrow({ where: { userId: bob.id, org: { name: alice.org.name } } });
    await db.membership.update({ where: { id: membership.id }, data: { role: 'viewer' } });
    const replay = await api.regenerate(app.id, { token: bobs, ...keyed('before-demotion', {}) });
    expect(replay.status).toBe(403);
    expect(replay.text).not.toContain('spk_');
  });

  it('does not store a 5xx: the key is released and a retry runs again', async () => {
    const app = await newApp(alice.user, alice.org.name, 'failing-app');
    const before = await currentKeys(app.id);
    await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" RENAME TO "AuditEventGone"');
    try {
      expect((await api.regenerate(app.id, { token: writer, ...keyed('after-500', {}) })).status).toBe(500);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "AuditEventGone" RENAME TO "AuditEvent"');
    }
    expect(await currentKeys(app.id)).toEqual(before);
    expect(await db.idempotentRequest.count({ where: { key: 'after-500' } })).toBe(0);
    const retry = await api.regenerate(app.id, { token: writer, ...keyed('after-500', {}) });
    expect([retry.status, retry.headers.get('idempotent-replayed')]).toEqual([200, null]);
    expect(retry.json.api_key).not.toBe(before[1]);
    expect(await regenerations(app.id)).toBe(1);
  });

  it('refuses a bad Idempotency-Key with 400 naming the header, and changes nothing', async () => {
    const app = await newApp(alice.user, alice.org.name, 'bad-key-app');
    for (const key of ['x'.repeat(256), 'caf\u00e9', 'tab\there', '']) {
      const res = await api.regenerate(app.id, { token: writer, ...keyed(key, {}) });
      expect(res.status, JSON.stringify(key)).toBe(400);
      expect(res.json).toMatchObject({ code: 'invalid_request', error: expect.stringContaining('Idempotency-Key') });
    }
    expect((await api.regenerate(app.id, { token: writer, ...keyed('k'.repeat(255), {}) })).status).toBe(200);
    expect(await regenerations(app.id)).toBe(1);
  });

  it('answers 413 to a body over the limit before storing anything', async () => {
    const app = await newApp(alice.user, alice.org.name, 'large-app');
    const res = await api.regenerate(app.id, { token: writer, ...keyed('too-large', { pad: 'x'.repeat(20_000) }) });
    expect(res.status).toBe(413);
    expect(await db.idempotentRequest.count({ where: { key: 'too-large' } })).toBe(0);
  });

  it('does not consult the key before the credential and its scope are checked', async () => {
    const app = await newApp(alice.user, alice.org.name, 'unauth-app');
    expect((await api.regenerate(app.id, { authorization: 'Bearer nope', ...keyed('before-auth', {}) })).status).toBe(401);
    const reader = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:read' });
    expect((await api.regenerate(app.id, { token: reader, ...keyed('before-auth', {}) })).status).toBe(403);
    expect(await db.idempotentRequest.count({ where: { key: 'before-auth' } })).toBe(0);
  });
});

describe('in progress and crashes', () => {
  it('answers 409 with Retry-After while the first request holds the key, and lets a retry take over a stale lease', async () => {
    const app = await newApp(alice.user, alice.org.name, 'lease-app');
    const first = await api.regenerate(app.id, { token: writer, ...keyed('lease', {}) });
    expect(first.status).toBe(200);
    // As if the first request were still running (its answer not stored yet).
    const row = await db.idempotentRequest.findFirstOrThrow({ where: { key: 'lease' } });
    await db.idempotentRequest.update({
      where: { id: row.id },
      data: { status: null, body: null, leaseToken: 'other', leaseUntil: new Date(Date.now() + 30_000) },
    });
    const busy = await api.regenerate(app.id, { token: writer, ...keyed('lease', {}) });
    expect([busy.status, busy.json.code, busy.headers.get('retry-after')]).toEqual([409, 'idempotency_in_progress', '1']);
    expect(await regenerations(app.id)).toBe(1);

    // The first request crashed: once its lease passed, a retry runs and its answer is the stored one.
    await db.idempotentRequest.update({ where: { id: row.id }, data: { leaseUntil: new Date(Date.now() - 1000) } });
    const takeover = await api.regenerate(app.id, { token: writer, ...keyed('lease', {}) });
    expect(takeover.status).toBe(200);
    expect(takeover.headers.get('idempotent-replayed')).toBeNull();
    expect(takeover.json.api_key).toBe((await currentKeys(app.id))[1]);
    expect(await regenerations(app.id)).toBe(2);
    const replay = await api.regenerate(app.id, { token: writer, ...keyed('lease', {}) });
    expect([replay.text, replay.headers.get('idempotent-replayed')]).toEqual([takeover.text, 'true']);
  });

  it('treats a key older than 24 hours as new, and deletes expired records', async () => {
    const app = await newApp(alice.user, alice.org.name, 'expired-app');
    expect((await api.regenerate(app.id, { token: writer, ...keyed('yesterday', {}) })).status).toBe(200);
    await db.idempotentRequest.updateMany({ where: { key: 'yesterday' }, data: { createdAt: new Date(Date.now() - 25 * 3600_000) } });
    const again = await api.regenerate(app.id, { token: writer, ...keyed('yesterday', { key_number: 2 }) });
    expect([again.status, again.json.regenerated_key]).toEqual([200, 2]);
    expect(await db.idempotentRequest.count({ where: { createdAt: { lt: new Date(Date.now() - 24 * 3600_000) } } })).toBe(0);
  });

  it('rotates exactly once for 20 concurrent requests with one key', async () => {
    const app = await newApp(alice.user, alice.org.name, 'concurrent-app');
    const before = await currentKeys(app.id);
    const answers = await Promise.all(Array.from({ length: 20 }, () => api.regenerate(app.id, { token: writer, ...keyed('burst', { key_number: 0 }) })));
    const stored = answers.filter((res) => res.status === 200);
    const busy = answers.filter((res) => res.status === 409);
    expect(stored.length + busy.length).toBe(20);
    expect(stored.length).toBeGreaterThanOrEqual(1);
    for (const res of busy) expect([res.json.code, res.headers.get('retry-after')]).toEqual(['idempotency_in_progress', '1']);
    // Every 200 is the one answer.
    expect(new Set(stored.map((res) => res.text)).size).toBe(1);
    const keys = await currentKeys(app.id);
    expect(stored[0]!.json).toEqual({ api_key: keys[1], api_key_2: keys[2], regenerated_key: 0 });
    expect(keys[1]).not.toBe(before[1]);
    expect(keys[2]).not.toBe(before[2]);
    const rows = await db.auditEvent.groupBy({ by: ['slot'], where: { appId: app.id, action: 'api_key.regenerated' }, _count: true, orderBy: { slot: 'asc' } });
    expect(rows.map((row) => [row.slot, row._count])).toEqual([
      [1, 1],
      [2, 1],
    ]);
    // A retry afterwards gets the same answer.
    const retry = await api.regenerate(app.id, { token: writer, ...keyed('burst', { key_number: 0 }) });
    expect([retry.text, retry.headers.get('idempotent-replayed')]).toEqual([stored[0]!.text, 'true']);
  });
});

describe('storage', () => {
  it('never stores a key in clear: the stored answer is encrypted and bound to its record', async () => {
    const app = await newApp(alice.user, alice.org.name, 'cipher-app');
    const res = await api.regenerate(app.id, { token: writer, ...keyed('cipher', { key_number: 0 }) });
    const keys = [res.json.api_key as string, res.json.api_key_2 as string];
    const rows = await db.idempotentRequest.findMany();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      const text = JSON.stringify(row);
      expect(text).not.toMatch(/spk_/);
      for (const key of keys) expect(text).not.toContain(key.slice(4, 20));
    }
    const row = rows.find((r) => r.key === 'cipher')!;
    expect(row.body).toMatch(/^v1\./);
    // Bound to its record: it decrypts as the answer there only.
    const secret = serverEnv().keySecrets.encryptionKey;
    expect(JSON.parse(decryptSecret(row.body!, idempotencyContext(row.id), secret))).toEqual(res.json);
    const other = rows.find((r) => r.id !== row.id)!;
    expect(() => decryptSecret(row.body!, idempotencyContext(other.id), secret)).toThrow();
  });
});

describe('OpenAPI', () => {
  it('documents the header on every POST of the management API and the 409 and 422 answers as given', async () => {
    const document = (await api.openapi()).json as {
      paths: Record<string, Record<string, { parameters?: { $ref?: string }[]; responses: Record<string, unknown> }>>;
    };
    const keys = document.paths['/v1/apps/{appId}/api-keys']!;
    expect(keys.post!.parameters).toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(keys.get!.parameters ?? []).not.toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });
    expect(document.paths['/v1/sql']!.post!.parameters ?? []).not.toContainEqual({ $ref: '#/components/parameters/IdempotencyKey' });

    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema(document, 'openapi');
    const validate = (status: number, body: unknown) =>
      ajv.getSchema(`openapi#/paths/~1v1~1apps~1{appId}~1api-keys/post/responses/${status}/content/application~1json/schema`)!(body);
    const app = await newApp(alice.user, alice.org.name, 'documented-idem');
    await api.regenerate(app.id, { token: writer, ...keyed('documented', {}) });
    const reused = await api.regenerate(app.id, { token: writer, ...keyed('documented', { key_number: 2 }) });
    const row = await db.idempotentRequest.findFirstOrThrow({ where: { key: 'documented' } });
    await db.idempotentRequest.update({ where: { id: row.id }, data: { status: null, leaseToken: 'other', leaseUntil: new Date(Date.now() + 30_000) } });
    const busy = await api.regenerate(app.id, { token: writer, ...keyed('documented', {}) });
    const invalid = await api.regenerate(app.id, { token: writer, ...keyed('', {}) });
    expect([reused.status, busy.status, invalid.status]).toEqual([422, 409, 400]);
    expect([validate(422, reused.json), validate(409, busy.json), validate(400, invalid.json)]).toEqual([true, true, true]);
  });
});
