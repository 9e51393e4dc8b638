// The management API's organizations, apps and members: each endpoint through its real route,
// with the portal's rules (names, app limit, owner rules) and audit trail, typed error codes, and
// nothing changed by a refused request.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { acceptInvitation } from '@/lib/actions/invitations';
import { api, json, tokenFor } from './api-client';
import { addMember, currentKeys, newApp, newUser, tokenOf } from './fixtures';
import { checkKey } from './key-check';
import { actingAs, signInAs } from './request';
import { sql, startRuntime } from './runtime-helpers';

const LIMIT = 12;
process.env.MAX_APPS_PER_ORG = String(LIMIT);

let runtime: Awaited<ReturnType<typeof startRuntime>>;
let alice: Awaited<ReturnType<typeof newUser>>;
let writer: string;
let star: string;

beforeAll(async () => {
  runtime = await startRuntime({ RUNTIME_LAST_USED_INTERVAL_MS: '0' });
  alice = await newUser('Alice');
  writer = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:write', name: 'ci-apps' });
  star = await tokenFor(alice.user, { org: alice.org.name, scope: '*', name: 'ci-members' });
});
afterAll(() => runtime.stop());

const appCount = (orgId: string) => db.app.count({ where: { orgId } });

/** A new user who is `role` in Alice's organization (through the portal's invitation), with a `*` token there. */
async function memberOfAlice(name: string, role: 'admin' | 'member' | 'viewer' | 'owner') {
  const { user } = await newUser(name);
  await signInAs(alice.user);
  expect((await addMember({ org: alice.org.name, email: user.email, role })).ok).toBe(true);
  return { user, token: await tokenFor(user, { org: alice.org.name, scope: '*' }) };
}

describe('GET /v1/orgs', () => {
  it('lists the one organization of a pinned token, and every organization of a token for all', async () => {
    const other = await newUser('Olaf');
    await signInAs(other.user);
    expect((await addMember({ org: other.org.name, email: alice.user.email, role: 'viewer' })).ok).toBe(true);
    const pinned = await api.listOrgs({ token: writer });
    expect([pinned.status, pinned.json]).toEqual([200, { orgs: [{ id: alice.org.id, name: alice.org.name, role: 'owner' }] }]);
    const all = await api.listOrgs({ token: await tokenFor(alice.user, { org: '*', scope: 'apps:read' }) });
    expect(all.json.orgs).toEqual([
      { id: alice.org.id, name: alice.org.name, role: 'owner' },
      { id: other.org.id, name: other.org.name, role: 'viewer' },
    ]);
  });

  it('answers a blank X-Org-Name 400, not as if it were left out', async () => {
    const res = await api.listApps({ token: writer, headers: { 'x-org-name': '  ' } });
    expect([res.status, res.json.code]).toEqual([400, 'invalid_request']);
  });
});

describe('apps', () => {
  it('creates an app (201) whose keys work at once, with the audit row naming the token; unknown fields are ignored', async () => {
    const res = await api.createApp({ token: writer, ...json({ name: 'From-Script', description: ' Made by CI ', cname: 'us-east-2', tags: { a: 'b' } }) });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(Number),
      name: 'from-script',
      description: 'Made by CI',
      visibility: 'private',
      created_at: expect.stringMatching(/^\d{4}-/),
      api_key: expect.stringMatching(/^spk_/),
    });
    const id = res.json.id as number;
    expect(await checkKey(res.json.api_key as string)).toMatchObject({ appId: id, slot: 1 });
    expect((await sql(runtime.url, (await currentKeys(id))[2], 'SELECT 1 AS one')).status).toBe(200);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { appId: id, action: 'app.created' },
      select: { actorId: true, token: { select: { name: true } } },
    });
    expect(event).toEqual({ actorId: alice.user.id, token: { name: 'ci-apps' } });
    const fetched = await api.getApp(id, { token: writer });
    expect(fetched.json).toEqual(res.json);
  });

  it('refuses names the portal refuses (400 with field errors) and a taken name (409), creating nothing', async () => {
    const before = await appCount(alice.org.id);
    for (const name of ['abc', 'members', '-bad-', 'with space', 42]) {
      const res = await api.createApp({ token: writer, ...json({ name }) });
      expect([res.status, res.json.code], String(name)).toEqual([400, 'invalid_request']);
      expect((res.json.details as { fieldErrors: Record<string, string[]> }).fieldErrors.name).toHaveLength(1);
    }
    const missing = await api.createApp({ token: writer, ...json({ description: 'no name' }) });
    expect([missing.status, missing.json.details]).toEqual([400, { formErrors: [], fieldErrors: { name: ['App name is required.'] } }]);
    const notJson = await api.createApp({ token: writer, body: 'name=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect([notJson.status, notJson.json.code]).toEqual([400, 'invalid_request']);
    await newApp(alice.user, alice.org.name, 'taken-name');
    const taken = await api.createApp({ token: writer, ...json({ name: 'TAKEN-name' }) });
    expect([taken.status, taken.json]).toEqual([
      409,
      {
        error: 'An app with this name already exists in this organization.',
        code: 'conflict',
        details: { formErrors: [], fieldErrors: { name: ['An app with this name already exists in this organization.'] } },
      },
    ]);
    const huge = await api.createApp({ token: writer, ...json({ name: 'huge-app', description: 'x'.repeat(2 * 1024 * 1024) }) });
    expect([huge.status, huge.json.code]).toEqual([413, 'payload_too_large']);
    expect(await appCount(alice.org.id)).toBe(before + 1);
  });

  it("keeps the portal's app limit (409) and its roles (403), and needs apps:write (403 insufficient_scope)", async () => {
    const full = await newUser('Fiona');
    const token = await tokenFor(full.user, { org: full.org.name, scope: 'apps:write' });
    for (let i = 0; i < LIMIT - 1; i++) await newApp(full.user, full.org.name, `full-app-${i}`);
    expect((await api.createApp({ token, ...json({ name: 'last-app' }) })).status).toBe(201);
    const over = await api.createApp({ token, ...json({ name: 'one-too-many' }) });
    expect([over.status, over.json.code]).toEqual([409, 'conflict']);
    expect(over.json.error).toContain('MAX_APPS_PER_ORG');
    expect(await appCount(full.org.id)).toBe(LIMIT);

    const { token: memberToken } = await memberOfAlice('Mia', 'member');
    const refused = await api.createApp({ token: memberToken, ...json({ name: 'member-app' }) });
    expect([refused.status, refused.json]).toEqual([403, { error: 'Only owners and admins can create apps.', code: 'forbidden' }]);
    const reader = await tokenFor(alice.user, { org: alice.org.name, scope: 'apps:read' });
    const scope = await api.createApp({ token: reader, ...json({ name: 'reader-app' }) });
    expect([scope.status, scope.json.code]).toEqual([403, 'insufficient_scope']);
    expect(await db.app.count({ where: { name: { in: ['member-app', 'reader-app'] } } })).toBe(0);
  });

  it('shows a viewer an app without its key', async () => {
    const app = await newApp(alice.user, alice.org.name, 'viewed-app');
    const { token } = await memberOfAlice('Vic', 'viewer');
    const res = await api.getApp(app.id, { token });
    expect(res.json).toMatchObject({ id: app.id, name: 'viewed-app', api_key: null });
  });

  it('renames and describes an app as the portal does, recording both; refuses a taken or bad name, changing nothing', async () => {
    const app = await newApp(alice.user, alice.org.name, 'old-name');
    await newApp(alice.user, alice.org.name, 'other-name');
    const renamed = await api.updateApp(app.id, { token: writer, ...json({ name: 'New-Name' }) });
    expect([renamed.status, renamed.json]).toMatchObject([200, { id: app.id, name: 'new-name', description: 'test app' }]);
    const described = await api.updateApp(app.id, { token: writer, ...json({ description: 'Now described', visibility: 'public' }) });
    expect(described.json).toMatchObject({ name: 'new-name', description: 'Now described', visibility: 'private' });
    const events = await db.auditEvent.findMany({
      where: { appId: app.id, action: { in: ['app.renamed', 'app.updated'] } },
      select: { action: true, details: true, token: { select: { name: true } } },
    });
    expect(events.map((e) => [e.action, e.token?.name])).toEqual([
      ['app.renamed', 'ci-apps'],
      ['app.updated', 'ci-apps'],
    ]);

    for (const [body, status] of [
      [{ name: 'other-name' }, 409],
      [{ name: 'x' }, 400],
      [{ description: 'y'.repeat(501) }, 400],
      [{}, 400],
      [{ name: null }, 400],
    ] as const) {
      const res = await api.updateApp(app.id, { token: writer, ...json(body) });
      expect([res.status, res.json.code], JSON.stringify(body)).toEqual([status, status === 409 ? 'conflict' : 'invalid_request']);
    }
    expect(await db.app.findUniqueOrThrow({ where: { id: app.id }, select: { name: true, description: true } })).toEqual({
      name: 'new-name',
      description: 'Now described',
    });
  });

  it('deletes an app (204): the runtime refuses both keys at once, and the API no longer finds it', async () => {
    const app = await newApp(alice.user, alice.org.name, 'api-doomed');
    const keys = await currentKeys(app.id);
    for (const key of [keys[1], keys[2]]) expect((await sql(runtime.url, key, 'SELECT 1 AS one')).status).toBe(200);
    const { token: memberToken } = await memberOfAlice('Mona', 'member');
    expect((await api.deleteApp(app.id, { token: memberToken })).status).toBe(403);

    const res = await api.deleteApp(app.id, { token: writer });
    expect([res.status, res.text]).toEqual([204, '']);
    for (const key of [keys[1], keys[2]]) {
      const refused = await sql(runtime.url, key, 'SELECT 1');
      expect([refused.status, await refused.text()]).toEqual([401, 'Unauthorized']);
    }
    const gone = await api.getApp(app.id, { token: writer });
    expect([gone.status, gone.json]).toEqual([404, { error: `App with ID ${app.id} not found`, code: 'not_found' }]);
    expect((await api.deleteApp(app.id, { token: writer })).status).toBe(404);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: 'app.deleted', orgId: alice.org.id },
      orderBy: { createdAt: 'desc' },
      select: { details: true, token: { select: { name: true } } },
    });
    expect(event.token?.name).toBe('ci-apps');
    expect(JSON.stringify(event.details)).toContain('api-doomed');
  });

  it("gives each key's use beside it: created, last used, requests in the last hour and 24 hours", async () => {
    const app = await newApp(alice.user, alice.org.name, 'usage-app');
    const keys = await currentKeys(app.id);
    for (let i = 0; i < 3; i++) expect((await sql(runtime.url, keys[1], 'SELECT 1 AS one')).status).toBe(200);
    // Key 2 was used three hours ago (as the runtime records it: a count per minute).
    const key2 = await db.apiKey.findUniqueOrThrow({ where: { appId_slot: { appId: app.id, slot: 2 } }, select: { id: true } });
    const threeHoursAgo = new Date(Math.floor((Date.now() - 3 * 3600_000) / 60_000) * 60_000);
    await db.apiKeyUsage.create({ data: { keyId: key2.id, minute: threeHoursAgo, count: 4 } });
    let res = await api.getKeys(app.id, { token: writer });
    for (let i = 0; i < 50 && (res.json.api_key_usage as { requests_last_hour: number }).requests_last_hour < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      res = await api.getKeys(app.id, { token: writer });
    }
    expect(res.json).toEqual({
      api_key: keys[1],
      api_key_2: keys[2],
      api_key_usage: {
        created_at: expect.stringMatching(/^\d{4}-/),
        last_used_at: expect.stringMatching(/^\d{4}-/),
        requests_last_hour: 3,
        requests_last_24h: 3,
      },
      api_key_2_usage: { created_at: expect.stringMatching(/^\d{4}-/), last_used_at: null, requests_last_hour: 0, requests_last_24h: 4 },
    });
  });

  it("answers another organization's app 404 when the caller is no member there, 403 org_forbidden when they are", async () => {
    const stranger = await newUser('Stan');
    const strangerApp = await newApp(stranger.user, stranger.org.name, 'stranger-app');
    const unknown = await api.updateApp(strangerApp.id, { token: writer, ...json({ description: 'mine now' }) });
    expect([unknown.status, unknown.json.code]).toEqual([404, 'not_found']);
    await signInAs(stranger.user);
    expect((await addMember({ org: stranger.org.name, email: alice.user.email, role: 'admin' })).ok).toBe(true);
    const forbidden = await api.deleteApp(strangerApp.id, { token: writer });
    expect([forbidden.status, forbidden.json.code]).toEqual([403, 'org_forbidden']);
    const created = await api.createApp({
      token: writer,
      headers: { 'x-org-name': stranger.org.name, 'content-type': 'application/json' },
      body: '{"name":"sneaky-app"}',
    });
    expect([created.status, created.json.code]).toEqual([403, 'org_forbidden']);
    expect(await db.app.findUniqueOrThrow({ where: { id: strangerApp.id }, select: { description: true } })).toEqual({ description: 'test app' });
    expect(await appCount(stranger.org.id)).toBe(1);
  });
});

describe('members', () => {
  it("lists the members in Spice's shape, and needs the * scope", async () => {
    const res = await api.listMembers({ token: star });
    expect(res.status).toBe(200);
    expect((res.json.members as unknown[])[0]).toEqual({
      user_id: alice.user.id,
      name: 'Alice',
      email: alice.user.email,
      role: 'owner',
      roles: ['owner'],
      is_owner: true,
      created_at: expect.stringMatching(/^\d{4}-/),
    });
    const scoped = await api.listMembers({ token: writer });
    expect([scoped.status, scoped.json]).toEqual([403, { error: 'Insufficient scope. Required: *', code: 'insufficient_scope' }]);
    const one = await api.getMember(alice.user.id, { token: star });
    expect(one.json).toEqual((res.json.members as unknown[])[0]);
  });

  it('adds a member by email with a role as the portal does: an invitation they accept', async () => {
    const { user: nina } = await newUser('Nina');
    const res = await api.addMember({ token: star, ...json({ email: ` ${nina.email.toUpperCase()} `, roles: ['admin'], username: 'ignored' }) });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({
      id: expect.any(String),
      email: nina.email,
      role: 'admin',
      status: 'invited',
      invite_url: expect.stringMatching(/\/invite\/[A-Za-z0-9_]+/),
      expires_at: expect.stringMatching(/^\d{4}-/),
    });
    const again = await api.addMember({ token: star, ...json({ email: nina.email }) });
    expect([again.status, again.json.code]).toEqual([409, 'conflict']);
    expect(again.json.error).toBe(
      'An invitation to this address is pending: it can be resent or revoked in the portal, under Organization → Members → Pending invitations.',
    );
    const token = tokenOf(new URL(res.json.invite_url as string).pathname);
    expect(await actingAs(nina, () => acceptInvitation({ token }))).toMatchObject({ ok: true });
    const member = await api.getMember(nina.id, { token: star });
    expect(member.json).toMatchObject({ user_id: nina.id, role: 'admin', is_owner: false });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: 'invitation.created', orgId: alice.org.id },
      orderBy: { createdAt: 'desc' },
      select: { token: { select: { name: true } } },
    });
    expect(event.token?.name).toBe('ci-members');
    const memberAgain = await api.addMember({ token: star, ...json({ email: nina.email }) });
    expect([memberAgain.status, memberAgain.json.error]).toEqual([409, 'This person is already a member.']);
  });

  it('changes a role and removes a member with the owner rules: only owners touch owners, and one owner stays', async () => {
    const { user: ada, token: adminToken } = await memberOfAlice('Ada', 'admin');
    const { user: bo } = await memberOfAlice('Bo', 'member');
    const changed = await api.updateMember(bo.id, { token: adminToken, ...json({ role: 'viewer' }) });
    expect([changed.status, changed.json]).toMatchObject([200, { user_id: bo.id, role: 'viewer', roles: ['viewer'] }]);
    const audit = await db.auditEvent.findFirstOrThrow({
      where: { action: 'member.role_changed', subjectUserId: bo.id },
      select: { actorId: true, details: true },
    });
    expect(audit.actorId).toBe(ada.id);
    const ownerGrant = await api.updateMember(bo.id, { token: adminToken, ...json({ role: 'owner' }) });
    expect([ownerGrant.status, ownerGrant.json]).toEqual([403, { error: 'Only owners can grant or change the owner role.', code: 'forbidden' }]);
    const demoteOwner = await api.updateMember(alice.user.id, { token: adminToken, ...json({ role: 'member' }) });
    expect([demoteOwner.status, demoteOwner.json.code]).toEqual([403, 'forbidden']);
    const removeOwner = await api.removeMember(alice.user.id, { token: adminToken });
    expect([removeOwner.status, removeOwner.json.code]).toEqual([403, 'forbidden']);
    // The only owner cannot step down nor leave through the API either.
    const lastOwner = await api.updateMember(alice.user.id, { token: star, ...json({ role: 'admin' }) });
    expect([lastOwner.status, lastOwner.json]).toEqual([409, { error: 'An organization needs at least one owner.', code: 'conflict' }]);
    expect([(await api.removeMember(alice.user.id, { token: star })).status]).toEqual([409]);

    const removed = await api.removeMember(bo.id, { token: adminToken });
    expect([removed.status, removed.text]).toEqual([204, '']);
    expect((await api.getMember(bo.id, { token: star })).status).toBe(404);
    const again = await api.removeMember(bo.id, { token: star });
    expect([again.status, again.json]).toEqual([404, { error: 'Member not found', code: 'not_found' }]);
    expect(await db.membership.findFirst({ where: { orgId: alice.org.id, userId: alice.user.id }, select: { role: true } })).toEqual({ role: 'owner' });
  });

  it("refuses a member or viewer's token and bad input, changing nothing", async () => {
    const { user: cy, token: memberToken } = await memberOfAlice('Cy', 'member');
    const refused = await api.updateMember(cy.id, { token: memberToken, ...json({ role: 'admin' }) });
    expect([refused.status, refused.json]).toEqual([403, { error: 'Only owners and admins can manage members.', code: 'forbidden' }]);
    expect((await api.addMember({ token: memberToken, ...json({ email: 'someone@example.com' }) })).status).toBe(403);
    for (const body of [
      { role: 'king' },
      { roles: ['admin', 'viewer'] },
      { roles: [] },
      {},
      { role: 'admin', roles: 'admin' },
      { role: 'admin', roles: ['viewer'] },
    ]) {
      const res = await api.updateMember(cy.id, { token: star, ...json(body) });
      expect([res.status, res.json.code], JSON.stringify(body)).toEqual([400, 'invalid_request']);
    }
    const twoRoles = await api.updateMember(cy.id, { token: star, ...json({ role: 'admin', roles: ['viewer'] }) });
    expect(twoRoles.json.details).toEqual({ formErrors: [], fieldErrors: { roles: ['Send role or roles, not two different roles.'] } });
    for (const body of [
      { email: 'not-an-address' },
      { email: 'a@example.com', role: 'king' },
      {},
      { email: 'a@example.com', role: 'viewer', roles: ['admin'] },
    ]) {
      const res = await api.addMember({ token: star, ...json(body) });
      expect([res.status, res.json.code], JSON.stringify(body)).toEqual([400, 'invalid_request']);
    }
    const noEmail = await api.addMember({ token: star, ...json({ role: 'viewer' }) });
    expect(noEmail.json.details).toEqual({ formErrors: [], fieldErrors: { email: ['Email is required.'] } });
    expect((await api.getMember('../etc', { token: star })).status).toBe(400);
    expect(await db.membership.findFirst({ where: { orgId: alice.org.id, userId: cy.id }, select: { role: true } })).toEqual({ role: 'member' });
    expect(await db.invitation.count({ where: { orgId: alice.org.id, email: { in: ['someone@example.com', 'a@example.com'] } } })).toBe(0);
  });
});

describe('paths and methods the API does not have', () => {
  it('answers JSON like every other error: 404 not_found for an unknown path, 405 method_not_allowed with Allow', async () => {
    const unknown = await import('@/app/v1/[[...rest]]/route');
    for (const method of ['GET', 'POST', 'DELETE'] as const) {
      const res = unknown[method]();
      expect([res.status, await res.json()], method).toEqual([
        404,
        { error: 'No such endpoint: the management API is described at /v1/openapi.json', code: 'not_found' },
      ]);
    }
    const apps = await import('@/app/v1/apps/route');
    const res = apps.DELETE();
    expect([res.status, res.headers.get('allow'), await res.json()]).toEqual([
      405,
      'GET, POST',
      { error: 'Method not allowed: this endpoint takes GET, POST', code: 'method_not_allowed' },
    ]);
  });
});
