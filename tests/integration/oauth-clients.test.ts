// OAuth clients: created on Organization → Settings → OAuth clients, traded for an access token at
// POST /api/oauth/token (client credentials; JSON, form and Basic, the latter two through
// oauth4webapi, an independent client), and that token used on the management API as a client
// of the organization, with no user behind it.
import Ajv2020 from 'ajv/dist/2020';
import { Writable } from 'node:stream';
import * as oauth from 'oauth4webapi';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POST as tokenEndpoint } from '@/app/api/oauth/token/route';
import { createOAuthClient } from '@/lib/actions/create-oauth-client';
import { deleteOAuthClient } from '@/lib/actions/delete-oauth-client';
import { regenerateOAuthClientSecret } from '@/lib/actions/regenerate-oauth-client-secret';
import { db } from '@/lib/db';
import { listActivity } from '@/lib/data/activity';
import { findAppAccess, findOrgAccess } from '@/lib/auth/access';
import { getApiKeyUsage } from '@/lib/data/apps';
import { keyOrigin } from '@/components/keys/key-usage';
import { logTo, observability } from '@/lib/observability';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';
import { generateOAuthAccessToken, generateOAuthClientSecret } from '@/lib/shared/keys/format';
import { LIVE_TOKENS_PER_CLIENT } from '@/lib/tokens/oauth-clients';
import { api, json } from './api-client';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { signInAs, signOut } from './request';

const ISSUER = 'http://portal.test';
const AS: oauth.AuthorizationServer = { issuer: ISSUER, token_endpoint: `${ISSUER}/api/oauth/token` };
let address = '192.0.2.50';
let addresses = 50;

/** The token endpoint as a fetch: what oauth4webapi calls, and our own raw requests. */
async function tokenFetch(url: string | URL | Request, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set(CLIENT_ADDRESS_HEADER, address);
  return tokenEndpoint(new Request(String(url), { ...init, headers }));
}

async function exchange(body: string, contentType: string, headers: Record<string, string> = {}) {
  const response = await tokenFetch(AS.token_endpoint!, { method: 'POST', body, headers: { 'content-type': contentType, ...headers } });
  return { status: response.status, json: (await response.json()) as Record<string, unknown>, headers: response.headers };
}

const exchangeJson = (body: Record<string, unknown>) => exchange(JSON.stringify(body), 'application/json');

async function viaOAuth4WebApi(method: 'basic' | 'post', client: { clientId: string; clientSecret: string }, scope?: string) {
  const auth = method === 'basic' ? oauth.ClientSecretBasic(client.clientSecret) : oauth.ClientSecretPost(client.clientSecret);
  const response = await oauth.clientCredentialsGrantRequest(AS, { client_id: client.clientId }, auth, scope ? { scope } : {}, {
    [oauth.customFetch]: tokenFetch,
    [oauth.allowInsecureRequests]: true,
  });
  return oauth.processClientCredentialsResponse(AS, { client_id: client.clientId }, response);
}

let owner: Awaited<ReturnType<typeof newUser>>;
let appId: number;

beforeAll(async () => {
  owner = await newUser('Olga');
  appId = (await newApp(owner.user, owner.org.name, 'oauth-app')).id;
});
beforeEach(async () => {
  // Each test fails from an address of its own: the limiter counts per address.
  address = `192.0.2.${++addresses}`;
  await signInAs(owner.user);
});

let clients = 0;
async function newClient(scope: 'apps:read' | 'apps:write' | '*' = 'apps:write', org = owner.org.name) {
  const result = await createOAuthClient({ org, name: `ci-rotate-${++clients}`, description: 'CI key rotation', scope });
  if (!result.ok) throw new Error(result.error);
  return result.data;
}

describe('creating a client', () => {
  it('shows the id and the secret once, stores only a digest, audits and notifies the owners and admins', async () => {
    const { user: admin } = await newUser('Adam');
    await signInAs(owner.user);
    expect((await addMember({ org: owner.org.name, email: admin.email, role: 'admin' })).ok).toBe(true);
    const created = await newClient('apps:read');
    expect(created.clientId).toMatch(/^spc_[0-9A-Za-z]{36}$/);
    expect(created.clientSecret).toMatch(/^sps_[0-9A-Za-z]{36}$/);
    const row = await db.oAuthClient.findUniqueOrThrow({ where: { clientId: created.clientId } });
    expect(row).toMatchObject({ name: created.name, description: 'CI key rotation', scopes: 'apps:read', createdById: owner.user.id, deletedAt: null });
    expect(JSON.stringify(row)).not.toContain(created.clientSecret);
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'oauth_client.created', oauthClientId: row.id } });
    expect(event.actorId).toBe(owner.user.id);
    const notices = await db.notification.findMany({ where: { kind: 'oauth_client.created', orgId: owner.org.id }, select: { userId: true, facts: true } });
    expect(notices.map((n) => n.userId).sort()).toEqual([owner.user.id, admin.id].sort());
    expect(notices[0]!.facts).toContain(created.name);
    expect(notices[0]!.facts).not.toContain(created.clientSecret);
  });

  it('refuses a member and a viewer, another organization, and a name in use', async () => {
    const { user: member } = await newUser('Mia');
    const { user: viewer } = await newUser('Vera');
    const stranger = await newUser('Sam');
    await signInAs(owner.user);
    expect((await addMember({ org: owner.org.name, email: member.email, role: 'member' })).ok).toBe(true);
    expect((await addMember({ org: owner.org.name, email: viewer.email, role: 'viewer' })).ok).toBe(true);
    const existing = await newClient();
    const refusal = { ok: false, error: 'Only owners and admins can see and manage OAuth clients.' };
    for (const user of [member, viewer]) {
      await signInAs(user);
      expect(await createOAuthClient({ org: owner.org.name, name: 'sneaky', scope: '*' })).toEqual(refusal);
      expect(await regenerateOAuthClientSecret({ org: owner.org.name, clientId: existing.clientId, confirmClientId: existing.clientId })).toEqual(refusal);
      expect(await deleteOAuthClient({ org: owner.org.name, clientId: existing.clientId })).toEqual(refusal);
    }
    await signInAs(stranger.user);
    expect(await deleteOAuthClient({ org: owner.org.name, clientId: existing.clientId })).toEqual({ ok: false, error: 'Not found.' });
    // The client id of another organization's client names nothing in one's own.
    expect(await deleteOAuthClient({ org: stranger.org.name, clientId: existing.clientId })).toEqual({ ok: false, error: 'Not found.' });
    await signInAs(owner.user);
    expect(await createOAuthClient({ org: owner.org.name, name: existing.name, scope: '*' })).toMatchObject({
      ok: false,
      fieldErrors: { name: [expect.any(String)] },
    });
    expect(await db.oAuthClient.count({ where: { name: 'sneaky' } })).toBe(0);
    expect((await db.oAuthClient.findUniqueOrThrow({ where: { clientId: existing.clientId } })).deletedAt).toBeNull();
  });

  it('asks for a recent sign-in first (step-up) and changes nothing', async () => {
    const existing = await newClient();
    await db.userSession.updateMany({ where: { userId: owner.user.id }, data: { authenticatedAt: new Date(Date.now() - 11 * 60_000) } });
    const before = await db.oAuthClient.findUniqueOrThrow({ where: { clientId: existing.clientId }, select: { secretDigest: true, deletedAt: true } });
    for (const run of [
      () => createOAuthClient({ org: owner.org.name, name: 'late', scope: '*' }),
      () => regenerateOAuthClientSecret({ org: owner.org.name, clientId: existing.clientId, confirmClientId: existing.clientId }),
      () => deleteOAuthClient({ org: owner.org.name, clientId: existing.clientId }),
    ]) {
      expect(await run()).toMatchObject({ ok: false, code: 'reauth_required' });
    }
    expect(await db.oAuthClient.findUniqueOrThrow({ where: { clientId: existing.clientId }, select: { secretDigest: true, deletedAt: true } })).toEqual(before);
    expect(await db.oAuthClient.count({ where: { name: 'late' } })).toBe(0);
    signOut();
  });
});

describe('POST /api/oauth/token', () => {
  it('exchanges the credentials in a JSON body, a form body (ClientSecretPost) and HTTP Basic (ClientSecretBasic)', async () => {
    const client = await newClient('apps:write');
    const fromJson = await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(fromJson.status).toBe(200);
    expect(fromJson.headers.get('cache-control')).toBe('no-store');
    expect(fromJson.json).toEqual({ access_token: expect.stringMatching(/^spo_/), token_type: 'Bearer', expires_in: 3600, scope: 'apps:write' });
    for (const method of ['post', 'basic'] as const) {
      const answer = await viaOAuth4WebApi(method, client);
      expect(answer.token_type).toBe('bearer');
      expect(answer.expires_in).toBe(3600);
      expect(answer.scope).toBe('apps:write');
      expect((await api.listApps({ token: answer.access_token })).status, method).toBe(200);
    }
    const stored = await db.oAuthAccessToken.findMany({ where: { client: { clientId: client.clientId } }, select: { digest: true, expiresAt: true } });
    expect(stored).toHaveLength(3);
    for (const row of stored) {
      expect(row.digest).toMatch(/^[0-9a-f]{64}$/);
      expect(Math.abs(row.expiresAt.getTime() - (Date.now() + 3600_000))).toBeLessThan(60_000);
    }
  });

  it('decodes Basic credentials that were form-urlencoded before base64 (RFC 6749 §2.3.1)', async () => {
    const client = await newClient();
    // Our ids and secrets have no character to escape: an escaped letter must decode to itself.
    const encoded = Buffer.from(`${encodeURIComponent(client.clientId).replace('s', '%73')}:${client.clientSecret}`).toString('base64');
    const res = await exchange('grant_type=client_credentials', 'application/x-www-form-urlencoded', { authorization: `Basic ${encoded}` });
    expect(res.status).toBe(200);
  });

  it('grants a narrower scope on request, and refuses a wider or unknown one with invalid_scope', async () => {
    const client = await newClient('apps:write');
    const narrow = await viaOAuth4WebApi('basic', client, 'apps:read');
    expect(narrow.scope).toBe('apps:read');
    // A read-only token of a write client cannot regenerate.
    expect((await api.regenerate(appId, { token: narrow.access_token })).status).toBe(403);
    const described: Record<string, string> = {
      '*': "The scope asks for more than the client's scopes.",
      'apps:read admin': 'Unknown scope "admin": scopes are apps:read, apps:write, *.',
      'apps:delete': 'Unknown scope "apps:delete": scopes are apps:read, apps:write, *.',
    };
    for (const [scope, description] of Object.entries(described)) {
      const res = await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret, scope });
      expect([res.status, res.json.error, res.json.error_description], scope).toEqual([400, 'invalid_scope', description]);
    }
  });

  it('answers every error of RFC 6749 §5.2 with its status', async () => {
    const client = await newClient();
    const good = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret };
    const cases: [string, Promise<Awaited<ReturnType<typeof exchange>>>, number, string][] = [
      ['wrong secret', exchangeJson({ ...good, client_secret: generateOAuthClientSecret() }), 401, 'invalid_client'],
      ['malformed secret', exchangeJson({ ...good, client_secret: 'nope' }), 401, 'invalid_client'],
      ['unknown client', exchangeJson({ ...good, client_id: 'spc_unknown' }), 401, 'invalid_client'],
      ['no credentials', exchangeJson({ grant_type: 'client_credentials' }), 401, 'invalid_client'],
      ['no grant type', exchangeJson({ client_id: good.client_id, client_secret: good.client_secret }), 400, 'invalid_request'],
      ['another grant', exchangeJson({ ...good, grant_type: 'password' }), 400, 'unsupported_grant_type'],
      ['not JSON', exchange('{', 'application/json'), 400, 'invalid_request'],
      ['a number', exchangeJson({ ...good, scope: 5 }), 400, 'invalid_request'],
      ['text/plain', exchange('grant_type=client_credentials', 'text/plain'), 400, 'invalid_request'],
      ['too large', exchange(`grant_type=client_credentials&x=${'a'.repeat(17 * 1024)}`, 'application/x-www-form-urlencoded'), 400, 'invalid_request'],
      ['repeated', exchange('grant_type=client_credentials&grant_type=client_credentials', 'application/x-www-form-urlencoded'), 400, 'invalid_request'],
    ];
    for (const [name, pending, status, error] of cases) {
      const res = await pending;
      expect([res.status, res.json.error], name).toEqual([status, error]);
      expect(res.json.error_description, name).toEqual(expect.any(String));
      expect(res.headers.get('www-authenticate'), name).toBeNull();
    }
    // Basic with a wrong secret: the challenge names the scheme.
    const basic = Buffer.from(`${client.clientId}:${generateOAuthClientSecret()}`).toString('base64');
    const res = await exchange('grant_type=client_credentials', 'application/x-www-form-urlencoded', { authorization: `Basic ${basic}` });
    expect([res.status, res.json.error]).toEqual([401, 'invalid_client']);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm="/);
    // Basic and body credentials at once.
    const both = await exchange(`grant_type=client_credentials&client_id=${client.clientId}`, 'application/x-www-form-urlencoded', {
      authorization: `Basic ${basic}`,
    });
    expect([both.status, both.json.error]).toEqual([400, 'invalid_request']);
    // Another authentication method than Basic is an unsupported one (RFC 6749 §5.2).
    const bearer = await exchange('grant_type=client_credentials', 'application/x-www-form-urlencoded', { authorization: 'Bearer spo_whatever' });
    expect([bearer.status, bearer.json.error, bearer.headers.get('www-authenticate')]).toEqual([
      401,
      'invalid_client',
      expect.stringMatching(/^Basic realm="/),
    ]);
  });

  it('answers as GET /v1/openapi.json describes it', async () => {
    const client = await newClient();
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema((await api.openapi()).json, 'openapi');
    const answers = [
      await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret }),
      await exchangeJson({ grant_type: 'password' }),
      await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: 'wrong' }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 400, 401]);
    // The limiter's 429 is answered in its own test below; every other documented status here.
    const documented = (await api.openapi()).json as { paths: Record<string, { post: { responses: Record<string, unknown> } }> };
    expect(Object.keys(documented.paths['/api/oauth/token']!.post.responses).sort()).toEqual(['200', '400', '401', '429']);
    for (const answer of answers) {
      const validate = ajv.getSchema(`openapi#/paths/~1api~1oauth~1token/post/responses/${answer.status}/content/application~1json/schema`)!;
      expect(validate(answer.json), ajv.errorsText(validate.errors)).toBe(true);
    }
  });

  it('is counted in the portal metrics and logged once per request, with no secret', async () => {
    const client = await newClient();
    const lines: string[] = [];
    logTo(new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }));
    const count = async () =>
      (await observability().api.get()).values.find((v) => v.labels.route === '/api/oauth/token' && v.labels.status === '200')?.value ?? 0;
    const before = await count();
    const answer = await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(await count()).toBe(before + 1);
    const logged = lines.filter((line) => line.includes('/api/oauth/token'));
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0]!)).toMatchObject({ door: 'api', method: 'POST', route: '/api/oauth/token', status: 200 });
    for (const secret of [client.clientSecret, String(answer.json.access_token)]) expect(lines.join('')).not.toContain(secret);
  });

  it('limits failures per client address with 429 and Retry-After, and still answers a valid secret', async () => {
    const client = await newClient();
    const wrong = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: generateOAuthClientSecret() };
    for (let i = 0; i < 20; i++) expect((await exchangeJson(wrong)).status).toBe(401);
    const blocked = await exchangeJson(wrong);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await exchangeJson({ ...wrong, client_secret: client.clientSecret })).status).toBe(200);
  });
});

describe('the access token on the management API', () => {
  it('lists apps and regenerates a key as the client: an audit row with the client and no user, nothing secret in it', async () => {
    const client = await newClient('apps:write');
    const { access_token: token } = await viaOAuth4WebApi('basic', client);
    const apps = await api.listApps({ token });
    expect(apps.status).toBe(200);
    expect(JSON.stringify(apps.json)).toContain('oauth-app');
    const before = await currentKeys(appId);
    const res = await api.regenerate(appId, { token, ...json({ key_number: 2 }) });
    expect(res.status).toBe(200);
    expect((await currentKeys(appId))[2]).not.toBe(before[2]);
    const row = await db.oAuthClient.findUniqueOrThrow({ where: { clientId: client.clientId }, select: { id: true, lastUsedAt: true } });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: 'api_key.regenerated', appId, oauthClientId: row.id } });
    expect(event).toMatchObject({ actorId: null, tokenId: null, slot: 2 });
    const everything = JSON.stringify(await db.auditEvent.findMany({ where: { orgId: owner.org.id } }));
    for (const secret of [client.clientSecret, token, before[2]]) expect(everything).not.toContain(secret);
    expect(row.lastUsedAt).not.toBeNull();
    // The General page says which client regenerated the key.
    const [usage] = await getApiKeyUsage((await findAppAccess(owner.user.id, { id: appId }))!, [2]);
    expect(keyOrigin(usage!)).toBe(` via OAuth client ${client.name}`);
    // Activity reads "via OAuth client …", and the owners hear of it with the client named.
    const access = (await findOrgAccess(owner.user.id, { id: owner.org.id }))!;
    const entry = (await listActivity(access, { page: 1 })).entries.find((e) => e.id === event.id)!;
    expect(entry).toMatchObject({ actor: null, viaOAuthClient: client.name, viaToken: null });
    const notice = await db.notification.findFirstOrThrow({ where: { kind: 'api_key.regenerated', userId: owner.user.id }, orderBy: { createdAt: 'desc' } });
    expect(notice.facts).toContain(`The OAuth client ${client.name}`);
  });

  it('is refused for another organization, even when it is named in X-Org-Name', async () => {
    const other = await newUser('Otto');
    const otherApp = await newApp(other.user, other.org.name, 'elsewhere');
    await signInAs(owner.user);
    const client = await newClient('*');
    const { access_token: token } = await viaOAuth4WebApi('post', client);
    expect((await api.getKeys(otherApp.id, { token })).status).toBe(404);
    expect((await api.regenerate(otherApp.id, { token })).status).toBe(404);
    // Pinned to its organization: another one named is refused as such (organization names are public).
    const named = await api.listApps({ token, headers: { 'x-org-name': other.org.name } });
    expect([named.status, named.json.code]).toEqual([403, 'org_forbidden']);
    expect(JSON.stringify(named.json)).not.toContain('elsewhere');
  });

  it('stops on the next request after Regenerate secret (old secret and tokens) and after Delete', async () => {
    const client = await newClient('apps:read');
    const { access_token: first } = await viaOAuth4WebApi('basic', client);
    expect((await api.listApps({ token: first })).status).toBe(200);
    expect(await regenerateOAuthClientSecret({ org: owner.org.name, clientId: client.clientId, confirmClientId: 'not the id' })).toMatchObject({
      ok: false,
      error: 'Type the client id exactly to confirm.',
    });
    expect((await api.listApps({ token: first })).status).toBe(200);
    const regenerated = await regenerateOAuthClientSecret({ org: owner.org.name, clientId: client.clientId, confirmClientId: client.clientId });
    if (!regenerated.ok) throw new Error(regenerated.error);
    expect(regenerated.data.clientSecret).not.toBe(client.clientSecret);
    expect((await api.listApps({ token: first })).json).toEqual({ error: 'Invalid token', code: 'unauthorized' });
    const old = await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret });
    expect(old.status).toBe(401);
    const { access_token: second } = await viaOAuth4WebApi('basic', { clientId: client.clientId, clientSecret: regenerated.data.clientSecret });
    expect((await api.listApps({ token: second })).status).toBe(200);

    expect(await deleteOAuthClient({ org: owner.org.name, clientId: client.clientId })).toEqual({ ok: true, data: { name: client.name } });
    expect((await api.listApps({ token: second })).status).toBe(401);
    const after = await exchangeJson({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: regenerated.data.clientSecret });
    expect(after.status).toBe(401);
    // The deleted client's name still reads in Activity.
    const access = (await findOrgAccess(owner.user.id, { id: owner.org.id }))!;
    const names = (await listActivity(access, { page: 1 })).entries.filter((e) => e.action.startsWith('oauth_client.') && e.oauthClient === client.name);
    expect(names.map((e) => e.action)).toEqual(['oauth_client.deleted', 'oauth_client.secret_regenerated', 'oauth_client.created']);
  });

  it('keeps the newest 100 access tokens of a client: one more ends the oldest', async () => {
    const client = await newClient();
    const body = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret };
    const first = (await exchangeJson(body)).json.access_token as string;
    for (let i = 1; i < LIVE_TOKENS_PER_CLIENT; i++) expect((await exchangeJson(body)).status).toBe(200);
    expect((await api.listApps({ token: first })).status).toBe(200);
    const last = (await exchangeJson(body)).json.access_token as string;
    expect(await db.oAuthAccessToken.count({ where: { client: { clientId: client.clientId } } })).toBe(LIVE_TOKENS_PER_CLIENT);
    expect((await api.listApps({ token: first })).status).toBe(401);
    expect((await api.listApps({ token: last })).status).toBe(200);
  });

  it('refuses an expired access token and a made-up one without finding anything', async () => {
    const client = await newClient();
    const { access_token: token } = await viaOAuth4WebApi('basic', client);
    await db.oAuthAccessToken.updateMany({ where: { client: { clientId: client.clientId } }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // As an expired personal access token (Spice answers 410).
    const expired = await api.listApps({ token });
    expect([expired.status, expired.json.code]).toEqual([410, 'token_expired']);
    expect((await api.listApps({ token: generateOAuthAccessToken() })).json).toEqual({ error: 'Invalid token', code: 'unauthorized' });
  });
});
