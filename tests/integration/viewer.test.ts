// The viewer role (issue 17): sees the organization's apps, their keys' use and the activity,
// never a key. Every door that hands out a key refuses a viewer with one wording: the management
// API (403), the portal's actions that read a key or run a query with one, and regeneration.
// On SQLite and PostgreSQL.
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { createApp } from '@/lib/actions/create-app';
import { deleteApp } from '@/lib/actions/delete-app';
import { leaveOrganization } from '@/lib/actions/leave-organization';
import { changeMemberRole } from '@/lib/actions/members';
import { readApiKey } from '@/lib/actions/read-api-key';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { runQuery } from '@/lib/actions/run-query';
import { updateApp } from '@/lib/actions/update-app';
import { findAppAccess } from '@/lib/auth/access';
import { can, PERMISSIONS, REFUSALS, ROLES } from '@/lib/auth/permissions';
import { getApiKeyUsage } from '@/lib/data/apps';
import { api, json, tokenFor } from './api-client';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { signInAs, signOut } from './request';

const VIEWERS_REFUSAL = "Viewers can't see API keys.";

let owner: Awaited<ReturnType<typeof newUser>>;
let viewer: Awaited<ReturnType<typeof newUser>>;
let app: Awaited<ReturnType<typeof newApp>>;

beforeAll(async () => {
  owner = await newUser('Olga');
  viewer = await newUser('Vera');
  app = await newApp(owner.user, owner.org.name, 'viewed-app');
  await signInAs(owner.user);
  expect(await addMember({ org: owner.org.name, email: viewer.user.email, role: 'viewer' })).toEqual({ ok: true, data: null });
});

beforeEach(() => signOut());

describe('the role table', () => {
  it('gives a viewer the apps and leaving, and nothing that shows or changes a key, an app or a member', () => {
    expect(ROLES).toEqual(['owner', 'admin', 'member', 'viewer']);
    const granted = (Object.keys(PERMISSIONS) as (keyof typeof PERMISSIONS)[]).filter((permission) => can('viewer', permission));
    expect(granted.sort()).toEqual(['app:view', 'org:leave']);
    expect(REFUSALS['key:view']).toBe(VIEWERS_REFUSAL);
    // Every other role still sees keys.
    for (const role of ['owner', 'admin', 'member'] as const) expect(can(role, 'key:view'), role).toBe(true);
  });
});

describe('the management API', () => {
  it("answers a viewer's token 403 with the refusal on GET and POST api-keys, and changes nothing", async () => {
    const token = await tokenFor(viewer.user, { org: owner.org.name, scope: 'apps:write' });
    const before = await currentKeys(app.id);
    const get = await api.getKeys(app.id, { token });
    expect([get.status, get.json]).toEqual([403, { error: VIEWERS_REFUSAL, code: 'forbidden' }]);
    expect(get.text).not.toMatch(/spk_/);
    for (const body of [{}, { key_number: 0 }, { key_number: 2 }]) {
      const post = await api.regenerate(app.id, { token, ...json(body) });
      expect([post.status, post.json], JSON.stringify(body)).toEqual([403, { error: 'Only owners and admins can regenerate keys.', code: 'forbidden' }]);
    }
    expect(await currentKeys(app.id)).toEqual(before);
    expect(await db.auditEvent.count({ where: { appId: app.id, action: 'api_key.regenerated' } })).toBe(0);
  });

  it('lists the apps to a viewer, with no key', async () => {
    const token = await tokenFor(viewer.user, { org: owner.org.name, scope: 'apps:read' });
    const res = await api.listApps({ token });
    expect(res.status).toBe(200);
    expect(res.json.apps).toEqual([
      { id: app.id, name: 'viewed-app', description: 'test app', visibility: expect.any(String), created_at: expect.any(String), api_key: null },
    ]);
    expect(res.text).not.toMatch(/spk_/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    // The owner's token still gets the primary key in the same list.
    const ownerToken = await tokenFor(owner.user, { org: owner.org.name, scope: 'apps:read' });
    const listed = await api.listApps({ token: ownerToken });
    expect((listed.json.apps as { api_key: string }[])[0]!.api_key).toBe((await currentKeys(app.id))[1]);
  });

  it('lists no key to a token for all organizations naming the one where its user is a viewer', async () => {
    const token = await tokenFor(viewer.user, { org: '*', scope: 'apps:read' });
    const res = await api.listApps({ token, headers: { 'x-org-name': owner.org.name } });
    expect(res.status).toBe(200);
    expect((res.json.apps as { api_key: unknown }[]).map((a) => a.api_key)).toEqual([null]);
  });
});

describe("the portal's actions", () => {
  it('refuse to read a key or run a query with one for a viewer, with the refusal', async () => {
    await signInAs(viewer.user);
    for (const slot of [1, 2]) {
      expect(await readApiKey({ appId: app.id, slot }), `slot ${slot}`).toEqual({ ok: false, error: VIEWERS_REFUSAL });
    }
    expect(await runQuery({ appId: app.id, sql: 'SELECT 1' })).toEqual({ ok: false, error: VIEWERS_REFUSAL });
  });

  it('refuse regeneration, app changes and member management to a viewer, and change nothing', async () => {
    const before = await currentKeys(app.id);
    await signInAs(viewer.user);
    expect(await regenerateApiKey({ appId: app.id, slot: 1 })).toEqual({ ok: false, error: REFUSALS['key:regenerate'] });
    expect(await createApp({ org: owner.org.name, name: 'viewer-made', description: '' })).toEqual({ ok: false, error: REFUSALS['app:create'] });
    expect(await updateApp({ appId: app.id, name: 'renamed-by-viewer', description: '' })).toEqual({ ok: false, error: REFUSALS['app:update'] });
    expect(await deleteApp({ appId: app.id, confirmName: app.name })).toEqual({ ok: false, error: REFUSALS['app:delete'] });
    const { user: stranger } = await newUser('Sam');
    await signInAs(viewer.user);
    expect(await addMember({ org: owner.org.name, email: stranger.email, role: 'viewer' })).toEqual({ ok: false, error: REFUSALS['member:manage'] });
    expect(await currentKeys(app.id)).toEqual(before);
    expect(await db.app.findMany({ where: { orgId: owner.org.id }, select: { name: true } })).toEqual([{ name: 'viewed-app' }]);
    expect(await db.membership.count({ where: { orgId: owner.org.id } })).toBe(2);
  });

  it("gives a viewer each key's use without reading a ciphertext", async () => {
    const access = (await findAppAccess(viewer.user.id, { id: app.id }))!;
    expect(access.role).toBe('viewer');
    const usage = await getApiKeyUsage(access);
    expect(usage.map((view) => [view.slot, view.lastUsedAt, view.requests24h, view.createdBy])).toEqual([
      [1, null, 0, 'Olga'],
      [2, null, 0, 'Olga'],
    ]);
    expect(JSON.stringify(usage)).not.toMatch(/spk_|ciphertext/);
  });
});

describe('granting the role', () => {
  it('lets owners and admins make a member a viewer and back, recorded in the audit trail; a viewer may leave', async () => {
    const { user: admin } = await newUser('Adam');
    const { user: mia } = await newUser('Mia');
    const { user: tess, org: team } = await newUser('Tess');
    await signInAs(tess);
    expect((await addMember({ org: team.name, email: admin.email, role: 'admin' })).ok).toBe(true);
    await signInAs(admin);
    expect(await addMember({ org: team.name, email: mia.email, role: 'member' })).toEqual({ ok: true, data: null });
    const membership = await db.membership.findUniqueOrThrow({ where: { orgId_userId: { orgId: team.id, userId: mia.id } }, select: { id: true } });
    expect(await changeMemberRole({ org: team.name, membershipId: membership.id, role: 'viewer' })).toEqual({ ok: true, data: null });
    const teamApp = await newApp(tess, team.name, 'team-app');
    await signInAs(mia);
    expect(await readApiKey({ appId: teamApp.id, slot: 1 })).toEqual({ ok: false, error: VIEWERS_REFUSAL });
    await signInAs(tess);
    expect(await changeMemberRole({ org: team.name, membershipId: membership.id, role: 'member' })).toEqual({ ok: true, data: null });
    await signInAs(mia);
    expect(await readApiKey({ appId: teamApp.id, slot: 1 })).toMatchObject({ ok: true, data: { slot: 1, key: (await currentKeys(teamApp.id))[1] } });
    await signInAs(tess);
    expect(await changeMemberRole({ org: team.name, membershipId: membership.id, role: 'viewer' })).toEqual({ ok: true, data: null });
    await signInAs(mia);
    expect(await leaveOrganization({ org: team.name })).toEqual({ ok: true, data: null });
    const events = await db.auditEvent.findMany({
      where: { orgId: team.id, subjectUserId: mia.id },
      orderBy: { createdAt: 'asc' },
      select: { action: true, details: true },
    });
    expect(events.map((e) => [e.action, e.details])).toEqual([
      ['member.added', '{"role":"member"}'],
      ['member.role_changed', '{"role":"viewer","previousRole":"member"}'],
      ['member.role_changed', '{"role":"member","previousRole":"viewer"}'],
      ['member.role_changed', '{"role":"viewer","previousRole":"member"}'],
      ['member.left', '{"previousRole":"viewer"}'],
    ]);
  });
});
