import { beforeAll, describe, expect, it } from 'vitest';
import * as appsRoute from '@/app/v1/apps/route';
import { db } from '@/lib/db';
import { revokeToken } from '@/lib/actions/tokens';
import { getApiKeysForDisplay } from '@/lib/data/apps';
import { generatePersonalAccessToken } from '@/lib/shared/keys/format';
import { api, json, tokenFor } from './api-client';
import { findAppAccess } from '@/lib/auth/access';
import { grant } from '@/lib/auth/permissions';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { checkKey as verify } from './key-check';
import { signInAs } from './request';

let alice: Awaited<ReturnType<typeof newUser>>;
let appId: number;
let readToken: string;
let writeToken: string;

beforeAll(async () => {
  alice = await newUser('Alice');
  appId = (await newApp(alice.user, alice.org.name, 'api-app')).id;
  readToken = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:read', name: 'reader' });
  writeToken = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:write', name: 'ci-rotate' });
});

describe('authentication', () => {
  it('answers 401 "Missing Authorization header" without one', async () => {
    const res = await api.getKeys(appId, { token: null });
    expect([res.status, res.json]).toEqual([401, { error: 'Missing Authorization header', code: 'unauthorized' }]);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="Spice Portal API"');
  });

  it('answers 401 "Invalid token" to a malformed, unknown, non-Bearer or app-key credential', async () => {
    const keys = await currentKeys(appId);
    for (const authorization of ['Bearer nonsense', `Bearer ${generatePersonalAccessToken()}`, `Basic ${readToken}`, `Bearer ${keys[1]}`, 'Bearer']) {
      const res = await api.getKeys(appId, { authorization });
      expect([res.status, res.json], authorization).toEqual([401, { error: 'Invalid token', code: 'unauthorized' }]);
    }
  });

  it('stores only a digest of the token', async () => {
    const rows = await db.personalAccessToken.findMany({ where: { userId: alice.user.id }, select: { digest: true, lastFour: true } });
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(row.digest).not.toContain(readToken.slice(4, 20));
    }
    expect(readToken).toMatch(/^spt_[0-9A-Za-z]{36}$/);
  });

  it('answers an expired token 410 token_expired, as Spice does, and refuses a revoked one with 401, at once', async () => {
    const token = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:read', name: 'short-lived', expiration: '7' });
    expect((await api.getKeys(appId, { token })).status).toBe(200);
    // A week later:
    await db.personalAccessToken.updateMany({ where: { name: 'short-lived', userId: alice.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const gone = await api.getKeys(appId, { token });
    expect([gone.status, gone.json]).toEqual([410, { error: 'Token expired', code: 'token_expired' }]);

    const revocable = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:read', name: 'revocable' });
    expect((await api.getKeys(appId, { token: revocable })).status).toBe(200);
    const row = await db.personalAccessToken.findFirstOrThrow({ where: { name: 'revocable', userId: alice.user.id }, select: { id: true } });
    await signInAs(alice.user);
    expect(await revokeToken({ tokenId: row.id })).toEqual({ ok: true, data: null });
    const res = await api.getKeys(appId, { token: revocable });
    expect([res.status, res.json]).toEqual([401, { error: 'Invalid token', code: 'unauthorized' }]);
  });

  it('records when a token was last used', async () => {
    await api.getKeys(appId, { token: readToken });
    const row = await db.personalAccessToken.findFirstOrThrow({ where: { name: 'reader', userId: alice.user.id }, select: { lastUsedAt: true } });
    expect(Date.now() - row.lastUsedAt!.getTime()).toBeLessThan(10_000);
  });

  it('rate-limits failed authentications per address with 429 and Retry-After, and never a valid token', async () => {
    const address = '198.51.100.77';
    for (let i = 0; i < 20; i++) expect((await api.getKeys(appId, { authorization: 'Bearer wrong', address })).status).toBe(401);
    const blocked = await api.getKeys(appId, { authorization: 'Bearer wrong', address });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // A valid token from the same address is answered as usual.
    expect((await api.getKeys(appId, { token: readToken, address })).status).toBe(200);
    expect((await api.getKeys(appId, { authorization: 'Bearer wrong', address: '198.51.100.78' })).status).toBe(401);
  });

  it('counts a client that rotates X-Forwarded-For as the one address it connects from', async () => {
    const address = '198.51.100.79';
    for (let i = 0; i < 20; i++) {
      const forged = { 'x-forwarded-for': `203.0.113.${i}` };
      expect((await api.getKeys(appId, { authorization: 'Bearer wrong', address, headers: forged })).status).toBe(401);
    }
    expect((await api.getKeys(appId, { authorization: 'Bearer wrong', address, headers: { 'x-forwarded-for': '203.0.113.200' } })).status).toBe(429);
    // A victim's address sent as X-Forwarded-For does not lock the victim's token out.
    expect((await api.getKeys(appId, { token: readToken, address: '198.51.100.80', headers: { 'x-forwarded-for': address } })).status).toBe(200);
  });
});

describe('scopes', () => {
  it('lets a read-only token read but not regenerate', async () => {
    const before = await currentKeys(appId);
    const read = await api.getKeys(appId, { token: readToken });
    expect(read.status).toBe(200);
    expect(read.json).toMatchObject({ api_key: before[1], api_key_2: before[2] });
    const write = await api.regenerate(appId, { token: readToken });
    expect([write.status, write.json]).toEqual([403, { error: 'Insufficient scope. Required: apps:write', code: 'insufficient_scope' }]);
    expect(await currentKeys(appId)).toEqual(before);
  });

  it('lets a write token read (write implies read) and regenerate; so does *', async () => {
    expect((await api.getKeys(appId, { token: writeToken })).status).toBe(200);
    expect((await api.regenerate(appId, { token: writeToken })).status).toBe(200);
    const star = await tokenFor(alice.user, { org: alice.org.name, scope: '*', name: 'star' });
    expect((await api.regenerate(appId, { token: star, ...json({ key_number: 2 }) })).status).toBe(200);
  });
});

describe('POST /v1/apps/{appId}/api-keys', () => {
  it('regenerates key 1 by default: the old key fails at once, key 2 is untouched', async () => {
    const before = await currentKeys(appId);
    const res = await api.regenerate(appId, { token: writeToken });
    expect(res.status).toBe(200);
    expect(res.json.regenerated_key).toBe(1);
    expect(res.json.api_key).not.toBe(before[1]);
    expect(res.json.api_key_2).toBe(before[2]);
    expect(await verify(before[1])).toBeNull();
    expect(await verify(res.json.api_key as string)).toMatchObject({ appId, slot: 1 });
  });

  it('regenerates key 2 with key_number 2, and both at once with 0', async () => {
    const before = await currentKeys(appId);
    const two = await api.regenerate(appId, { token: writeToken, ...json({ key_number: 2 }) });
    expect(two.json).toMatchObject({ api_key: before[1], regenerated_key: 2 });
    expect(two.json.api_key_2).not.toBe(before[2]);

    const both = await api.regenerate(appId, { token: writeToken, ...json({ key_number: 0 }) });
    expect(both.json.regenerated_key).toBe(0);
    expect(both.json.api_key).not.toBe(before[1]);
    expect(both.json.api_key_2).not.toBe(two.json.api_key_2);
    expect(await verify(before[1])).toBeNull();
    expect(await verify(two.json.api_key_2 as string)).toBeNull();
    expect(await currentKeys(appId)).toEqual({ 1: both.json.api_key, 2: both.json.api_key_2 });
  });

  it('answers each concurrent regeneration with the key that request issued', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => api.regenerate(appId, { token: writeToken, ...json({ key_number: 1 }) })));
    expect(answers.map((res) => res.status)).toEqual(Array(8).fill(200));
    const issued = answers.map((res) => res.json.api_key as string);
    // Each answer holds its own new key: none shows another caller's.
    expect(new Set(issued).size).toBe(8);
    const current = await currentKeys(appId);
    expect(issued).toContain(current[1]);
    expect(answers.every((res) => res.json.api_key_2 === current[2])).toBe(true);
    for (const key of issued.filter((key) => key !== current[1])) expect(await verify(key)).toBeNull();
  });

  it('records the token in the audit trail, and the General page says "via token ci-rotate"', async () => {
    await api.regenerate(appId, { token: writeToken, ...json({ key_number: 1 }) });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { appId, action: 'api_key.regenerated', slot: 1 },
      orderBy: { createdAt: 'desc' },
      select: { actorId: true, ip: true, userAgent: true, token: { select: { name: true } } },
    });
    expect(event).toEqual({ actorId: alice.user.id, ip: '192.0.2.10', userAgent: 'api-test', token: { name: 'ci-rotate' } });
    // A forged X-Forwarded-For does not reach the audit trail: the connection's address does.
    await api.regenerate(appId, {
      token: writeToken,
      body: JSON.stringify({ key_number: 2 }),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '6.6.6.6' },
    });
    const forged = await db.auditEvent.findFirstOrThrow({
      where: { appId, action: 'api_key.regenerated', slot: 2 },
      orderBy: { createdAt: 'desc' },
      select: { ip: true },
    });
    expect(forged.ip).toBe('192.0.2.10');
    const [key1] = await getApiKeysForDisplay(grant((await findAppAccess(alice.user.id, { id: appId }))!, 'key:view'));
    expect(key1).toMatchObject({ createdBy: 'Alice', createdViaToken: 'ci-rotate', regenerated: true });
  });

  it('refuses invalid key_number values, wrong content types, malformed and oversize bodies, changing nothing', async () => {
    const before = await currentKeys(appId);
    for (const value of [3, -1, '1', 1.5, null, true]) {
      const res = await api.regenerate(appId, { token: writeToken, ...json({ key_number: value }) });
      expect([res.status, res.json], String(value)).toEqual([
        400,
        { error: 'Invalid request', code: 'invalid_request', details: { formErrors: [], fieldErrors: { key_number: ['Must be 0, 1, or 2'] } } },
      ]);
    }
    const textPlain = await api.regenerate(appId, { token: writeToken, body: '{"key_number": 2}', headers: { 'content-type': 'text/plain' } });
    expect(textPlain.status).toBe(400);
    expect(textPlain.json.error).toBe('Invalid request');
    const malformed = await api.regenerate(appId, { token: writeToken, body: '{"key_number": ', headers: { 'content-type': 'application/json' } });
    expect([malformed.status, malformed.json]).toEqual([400, { error: 'Invalid JSON body', code: 'invalid_request' }]);
    const oversize = await api.regenerate(appId, { token: writeToken, ...json({ key_number: 1, padding: 'x'.repeat(20_000) }) });
    expect([oversize.status, oversize.json]).toEqual([413, { error: 'Request body is larger than 16384 bytes.', code: 'payload_too_large' }]);
    expect(await currentKeys(appId)).toEqual(before);
  });

  it('answers 400 "Invalid app ID" to a non-integer id, and 404 to an unknown one', async () => {
    for (const id of ['abc', '1.5', '-1', '0', '1e3', '99999999999']) {
      const res = await api.getKeys(id, { token: readToken });
      expect([res.status, res.json], id).toEqual([400, { error: 'Invalid app ID', code: 'invalid_request' }]);
    }
    const missing = await api.getKeys(987654, { token: readToken });
    expect([missing.status, missing.json]).toEqual([404, { error: 'App with ID 987654 not found', code: 'not_found' }]);
  });

  it('answers 403 "forbidden" when the token user is only a member', async () => {
    const { user: max } = await newUser('Max');
    await signInAs(alice.user);
    await addMember({ org: alice.org.name, email: max.email, role: 'member' });
    const token = await tokenFor(max, { org: alice.org.name, scope: 'apps:write' });
    const before = await currentKeys(appId);
    expect((await api.getKeys(appId, { token })).status).toBe(200);
    const res = await api.regenerate(appId, { token });
    expect([res.status, res.json]).toEqual([403, { error: 'Only owners and admins can regenerate keys.', code: 'forbidden' }]);
    expect(await currentKeys(appId)).toEqual(before);
  });

  it('answers 500 with a generic message when the database fails, and keeps the old key', async () => {
    const before = await currentKeys(appId);
    await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" RENAME TO "AuditEventGone"');
    try {
      const res = await api.regenerate(appId, { token: writeToken });
      expect([res.status, res.json]).toEqual([500, { error: 'Internal server error', code: 'internal' }]);
    } finally {
      await db.$executeRawUnsafe('ALTER TABLE "AuditEventGone" RENAME TO "AuditEvent"');
    }
    expect(await currentKeys(appId)).toEqual(before);
  });
});

describe('organizations', () => {
  it("never lets a token of one organization see or change another's apps (404)", async () => {
    const bob = await newUser('Bob');
    const bobApp = await newApp(bob.user, bob.org.name, 'bob-app');
    const before = await currentKeys(bobApp.id);
    const get = await api.getKeys(bobApp.id, { token: writeToken });
    expect([get.status, get.json]).toEqual([404, { error: `App with ID ${bobApp.id} not found`, code: 'not_found' }]);
    const post = await api.regenerate(bobApp.id, { token: writeToken });
    expect(post.status).toBe(404);
    expect(await currentKeys(bobApp.id)).toEqual(before);
    const list = await api.listApps({ token: readToken });
    expect((list.json.apps as { id: number }[]).map((a) => a.id)).not.toContain(bobApp.id);
  });

  it("keeps an org-bound token to its organization: 403 org_forbidden in the user's other organizations", async () => {
    const carol = await newUser('Carol');
    const second = await newUser('Dora');
    await signInAs(second.user);
    await addMember({ org: second.org.name, email: carol.user.email, role: 'owner' });
    const otherApp = await newApp(second.user, second.org.name, 'dora-app');
    const token = await tokenFor(carol.user, { org: carol.org.name, scope: '*' });
    const forbidden = { error: 'This credential is limited to another organization', code: 'org_forbidden' };
    const keys = await api.getKeys(otherApp.id, { token });
    expect([keys.status, keys.json]).toEqual([403, forbidden]);
    const regenerated = await api.regenerate(otherApp.id, { token });
    expect([regenerated.status, regenerated.json]).toEqual([403, forbidden]);
    const listed = await api.listApps({ token, headers: { 'x-org-name': second.org.name } });
    expect([listed.status, listed.json]).toEqual([403, forbidden]);
    // An organization that does not exist is 404, as before.
    expect((await api.listApps({ token, headers: { 'x-org-name': 'no-such-org' } })).status).toBe(404);
    const all = await tokenFor(carol.user, { org: '*', scope: '*' });
    expect((await api.getKeys(otherApp.id, { token: all })).status).toBe(200);
  });

  it("lists the apps of the organization, in Spice's shape", async () => {
    const res = await api.listApps({ token: readToken });
    expect(res.status).toBe(200);
    const apps = res.json.apps as Record<string, unknown>[];
    const keys = await currentKeys(appId);
    expect(apps).toContainEqual({
      id: appId,
      name: 'api-app',
      description: 'test app',
      visibility: 'private',
      created_at: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      api_key: keys[1],
    });
  });

  it('needs X-Org-Name for a token that covers all organizations', async () => {
    const all = await tokenFor(alice.user, { org: '*', scope: 'apps:read' });
    const missing = await api.listApps({ token: all });
    expect(missing.status).toBe(400);
    const named = await api.listApps({ token: all, headers: { 'x-org-name': alice.org.name } });
    expect((named.json.apps as { id: number }[]).map((a) => a.id)).toContain(appId);
    const notMine = await api.listApps({ token: all, headers: { 'x-org-name': 'no-such-org' } });
    expect([notMine.status, notMine.json]).toEqual([404, { error: 'Organization not found', code: 'not_found' }]);
  });
});

describe('bodies', () => {
  it('stops reading a body with no Content-Length at the limit (413), however long it goes on', async () => {
    const { user, org } = await newUser('Chunky');
    const writer = await tokenFor(user, { org: org.name, scope: 'apps:write' });
    // An endless chunked body: reading it all would never end.
    const endless = new ReadableStream<Uint8Array>({ pull: (controller) => controller.enqueue(new Uint8Array(4096).fill(32)) });
    const request = new Request('http://portal.test/v1/apps', {
      method: 'POST',
      headers: { authorization: `Bearer ${writer}`, 'content-type': 'application/json', 'idempotency-key': 'endless' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    const answer = await appsRoute.POST(request, { params: Promise.resolve({}) });
    expect([answer.status, ((await answer.json()) as { code: string }).code]).toEqual([413, 'payload_too_large']);
    expect(await db.app.count({ where: { orgId: org.id } })).toBe(0);
  });
});
