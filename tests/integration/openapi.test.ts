// Real responses of the management API and the runtime, checked against GET /v1/openapi.json:
// every path, method and status the document names is answered at least once here, and each
// answer matches the document's schema for it.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { api, json, tokenFor } from './api-client';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';
import { sql, startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  // A short time limit, so that a slow query answers the documented 408.
  runtime = await startRuntime({ RUNTIME_QUERY_TIMEOUT_MS: '1500' });
});
afterAll(() => runtime.stop());

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
type Answer = Awaited<ReturnType<typeof api.listApps>>;
type Options = Parameters<typeof api.listApps>[0];
type Document = {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
};

it('answers every status the document names, and every answer matches it', { timeout: 60_000 }, async () => {
  const doc = await api.openapi();
  expect(doc.status).toBe(200);
  const document = doc.json as unknown as Document;
  expect(document.openapi).toBe('3.1.0');

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');
  const seen = new Set<string>();

  function check(path: string, method: string, status: number, contentType: string, body: unknown) {
    seen.add(`${method} ${path} ${status}`);
    const responses = document.paths[path]?.[method]?.responses;
    expect(responses, `${method} ${path} is documented`).toBeDefined();
    const response = responses![String(status)];
    expect(response, `${method} ${path} documents ${status}`).toBeDefined();
    if (!response!.content) return;
    expect(response!.content[contentType], `${method} ${path} ${status} documents ${contentType}`).toBeDefined();
    const validate = ajv.getSchema(`openapi#/${pointer('paths', path, method, 'responses', String(status), 'content', contentType, 'schema')}`)!;
    expect(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }
  const checkApi = (path: string, method: string, res: Answer) => {
    // An empty body (204) has no content to check.
    check(path, method, res.status, 'application/json', res.json);
    if (res.json && res.status >= 400) expect(typeof res.json.code, `${method} ${path} ${res.status} has a code`).toBe('string');
  };

  const { user, org } = await newUser('Olga');
  const app = await newApp(user, org.name, 'documented-app');
  await newApp(user, org.name, 'second-app');
  const doomed = await newApp(user, org.name, 'doomed-app');
  const reader = await tokenFor(user, { org: org.name, scope: 'apps:read' });
  const writer = await tokenFor(user, { org: org.name, scope: 'apps:write' });
  const star = await tokenFor(user, { org: org.name, scope: '*' });
  const everywhere = await tokenFor(user, { org: '*', scope: '*' });
  const expired = await tokenFor(user, { org: org.name, scope: '*', name: 'expired' });
  await db.personalAccessToken.updateMany({ where: { userId: user.id, name: 'expired' }, data: { expiresAt: new Date(Date.now() - 1000) } });
  // A viewer's token: apps without keys, and 403 for the keys.
  const { user: vera } = await newUser('Vera');
  await signInAs(user);
  expect((await addMember({ org: org.name, email: vera.email, role: 'viewer' })).ok).toBe(true);
  const viewer = await tokenFor(vera, { org: org.name, scope: 'apps:write' });
  // Another organization Olga is a member of: her pinned tokens get org_forbidden there.
  const dora = await newUser('Dora');
  await signInAs(dora.user);
  expect((await addMember({ org: dora.org.name, email: user.email, role: 'member' })).ok).toBe(true);
  const doraApp = await newApp(dora.user, dora.org.name, 'dora-app');
  const other = { 'x-org-name': dora.org.name };
  const nowhere = { 'x-org-name': 'no-such-org' };
  const big = (value: object) => json({ ...value, padding: 'x'.repeat(20_000) });

  // Each endpoint, called with options (its path's ids fixed).
  const endpoints: [string, string, (options: Options) => Promise<Answer>][] = [
    ['/v1/orgs', 'get', (o) => api.listOrgs(o)],
    ['/v1/apps', 'get', (o) => api.listApps(o)],
    ['/v1/apps', 'post', (o) => api.createApp(o)],
    ['/v1/apps/{appId}', 'get', (o) => api.getApp(app.id, o)],
    ['/v1/apps/{appId}', 'patch', (o) => api.updateApp(app.id, o)],
    ['/v1/apps/{appId}', 'put', (o) => api.putApp(app.id, o)],
    ['/v1/apps/{appId}', 'delete', (o) => api.deleteApp(doomed.id, o)],
    ['/v1/apps/{appId}/api-keys', 'get', (o) => api.getKeys(app.id, o)],
    ['/v1/apps/{appId}/api-keys', 'post', (o) => api.regenerate(app.id, o)],
    ['/v1/members', 'get', (o) => api.listMembers(o)],
    ['/v1/members', 'post', (o) => api.addMember(o)],
    ['/v1/members/{userId}', 'get', (o) => api.getMember(vera.id, o)],
    ['/v1/members/{userId}', 'patch', (o) => api.updateMember(vera.id, o)],
    ['/v1/members/{userId}', 'delete', (o) => api.removeMember(vera.id, o)],
  ];

  // What every endpoint answers: 401, 410, 429 (each from its own address) and 500.
  let address = 0;
  for (const [path, method, call] of endpoints) {
    const from = `198.51.100.${++address}`;
    checkApi(path, method, await call({ token: null, address: `203.0.113.${address}` }));
    checkApi(path, method, await call({ token: expired, ...json({ name: 'never-made' }), address: `203.0.113.${address}` }));
    for (let i = 0; i < 20; i++) expect((await call({ authorization: 'Bearer wrong', address: from })).status).toBe(401);
    checkApi(path, method, await call({ authorization: 'Bearer wrong', address: from }));
  }
  await db.$executeRawUnsafe('ALTER TABLE "Membership" RENAME TO "MembershipGone"');
  try {
    for (const [path, method, call] of endpoints) checkApi(path, method, await call({ token: star, ...json({ role: 'member', email: 'x@example.com' }) }));
  } finally {
    await db.$executeRawUnsafe('ALTER TABLE "MembershipGone" RENAME TO "Membership"');
  }

  const cases: [string, string, Answer][] = [
    ['/v1/orgs', 'get', await api.listOrgs({ token: reader })],
    ['/v1/apps', 'get', await api.listApps({ token: reader })],
    ['/v1/apps', 'get', await api.listApps({ token: viewer })],
    ['/v1/apps', 'get', await api.listApps({ token: everywhere })],
    ['/v1/apps', 'get', await api.listApps({ token: reader, headers: other })],
    ['/v1/apps', 'get', await api.listApps({ token: everywhere, headers: nowhere })],
    ['/v1/apps', 'post', await api.createApp({ token: writer, ...json({ name: 'made-by-api', description: 'From a script' }) })],
    ['/v1/apps', 'post', await api.createApp({ token: writer, ...json({ name: 'made-by-api' }) })],
    ['/v1/apps', 'post', await api.createApp({ token: writer, ...json({ name: 'x' }) })],
    ['/v1/apps', 'post', await api.createApp({ token: reader, ...json({ name: 'not-made' }) })],
    ['/v1/apps', 'post', await api.createApp({ token: everywhere, headers: { ...nowhere, 'content-type': 'application/json' }, body: '{"name":"not-made"}' })],
    ['/v1/apps', 'post', await api.createApp({ token: writer, ...big({ name: 'too-big' }) })],
    ['/v1/apps/{appId}', 'get', await api.getApp(app.id, { token: reader })],
    ['/v1/apps/{appId}', 'get', await api.getApp('abc', { token: reader })],
    ['/v1/apps/{appId}', 'get', await api.getApp(doraApp.id, { token: reader })],
    ['/v1/apps/{appId}', 'get', await api.getApp(424242, { token: reader })],
    ['/v1/apps/{appId}', 'patch', await api.updateApp(app.id, { token: writer, ...json({ description: 'Edited by a script' }) })],
    ['/v1/apps/{appId}', 'patch', await api.updateApp(app.id, { token: writer, ...json({ name: 'second-app' }) })],
    ['/v1/apps/{appId}', 'patch', await api.updateApp(app.id, { token: writer, ...json({ name: 'no way' }) })],
    ['/v1/apps/{appId}', 'patch', await api.updateApp(app.id, { token: reader, ...json({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'patch', await api.updateApp(424242, { token: writer, ...json({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'patch', await api.updateApp(app.id, { token: writer, ...big({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'put', await api.putApp(app.id, { token: writer, ...json({ description: 'Put by a Spice client' }) })],
    ['/v1/apps/{appId}', 'put', await api.putApp(app.id, { token: writer, ...json({ name: 'second-app' }) })],
    ['/v1/apps/{appId}', 'put', await api.putApp('abc', { token: writer, ...json({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'put', await api.putApp(doraApp.id, { token: writer, ...json({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'put', await api.putApp(424242, { token: writer, ...json({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'put', await api.putApp(app.id, { token: writer, ...big({ description: 'no' }) })],
    ['/v1/apps/{appId}', 'delete', await api.deleteApp('abc', { token: writer })],
    ['/v1/apps/{appId}', 'delete', await api.deleteApp(doomed.id, { token: reader })],
    ['/v1/apps/{appId}', 'delete', await api.deleteApp(doomed.id, { token: writer })],
    ['/v1/apps/{appId}', 'delete', await api.deleteApp(doomed.id, { token: writer })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(app.id, { token: viewer })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(app.id, { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys('abc', { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(424242, { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: viewer })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: writer, ...json({ key_number: 0 }) })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: writer, ...json({ key_number: 7 }) })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(424242, { token: writer })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: writer, ...big({ key_number: 1 }) })],
    ['/v1/members', 'get', await api.listMembers({ token: star })],
    ['/v1/members', 'get', await api.listMembers({ token: everywhere })],
    ['/v1/members', 'get', await api.listMembers({ token: reader })],
    ['/v1/members', 'get', await api.listMembers({ token: everywhere, headers: nowhere })],
    ['/v1/members', 'post', await api.addMember({ token: star, ...json({ email: 'newcomer@example.com', role: 'member' }) })],
    ['/v1/members', 'post', await api.addMember({ token: star, ...json({ email: 'newcomer@example.com', role: 'member' }) })],
    ['/v1/members', 'post', await api.addMember({ token: star, ...json({ email: 'not an address' }) })],
    ['/v1/members', 'post', await api.addMember({ token: writer, ...json({ email: 'other@example.com' }) })],
    [
      '/v1/members',
      'post',
      await api.addMember({ token: everywhere, headers: { ...nowhere, 'content-type': 'application/json' }, body: '{"email":"a@example.com"}' }),
    ],
    ['/v1/members', 'post', await api.addMember({ token: star, ...big({ email: 'big@example.com' }) })],
    ['/v1/members/{userId}', 'get', await api.getMember(vera.id, { token: star })],
    ['/v1/members/{userId}', 'get', await api.getMember('not an id!', { token: star })],
    ['/v1/members/{userId}', 'get', await api.getMember(vera.id, { token: reader })],
    ['/v1/members/{userId}', 'get', await api.getMember('nobody', { token: star })],
    ['/v1/members/{userId}', 'patch', await api.updateMember(vera.id, { token: star, ...json({ roles: ['member'] }) })],
    ['/v1/members/{userId}', 'patch', await api.updateMember(vera.id, { token: star, ...json({ role: 'king' }) })],
    ['/v1/members/{userId}', 'patch', await api.updateMember(vera.id, { token: writer, ...json({ role: 'admin' }) })],
    ['/v1/members/{userId}', 'patch', await api.updateMember('nobody', { token: star, ...json({ role: 'admin' }) })],
    ['/v1/members/{userId}', 'patch', await api.updateMember(user.id, { token: star, ...json({ role: 'admin' }) })],
    ['/v1/members/{userId}', 'patch', await api.updateMember(vera.id, { token: star, ...big({ role: 'admin' }) })],
    ['/v1/members/{userId}', 'delete', await api.removeMember('not an id!', { token: star })],
    ['/v1/members/{userId}', 'delete', await api.removeMember(vera.id, { token: writer })],
    ['/v1/members/{userId}', 'delete', await api.removeMember(user.id, { token: star })],
    ['/v1/members/{userId}', 'delete', await api.removeMember(vera.id, { token: star })],
    ['/v1/members/{userId}', 'delete', await api.removeMember(vera.id, { token: star })],
  ];
  for (const [path, method, res] of cases) checkApi(path, method, res);

  // Retries (lib/api/idempotency.ts): every write answers its first answer again for a retry, 422
  // for its Idempotency-Key used with another body, and 409 while the first request with it runs.
  const keyedDoomed = await newApp(user, org.name, 'keyed-doomed');
  const { user: mia } = await newUser('Mia');
  await signInAs(user);
  expect((await addMember({ org: org.name, email: mia.email, role: 'member' })).ok).toBe(true);
  const writes: [string, string, (options: Options) => Promise<Answer>, object, object][] = [
    ['/v1/apps', 'post', (o) => api.createApp(o), { name: 'keyed-app' }, { name: 'keyed-app-2' }],
    ['/v1/apps/{appId}', 'patch', (o) => api.updateApp(app.id, o), { description: 'first' }, { description: 'second' }],
    ['/v1/apps/{appId}', 'put', (o) => api.putApp(app.id, o), { description: 'first put' }, { description: 'second' }],
    ['/v1/apps/{appId}', 'delete', (o) => api.deleteApp(keyedDoomed.id, o), {}, { other: true }],
    ['/v1/apps/{appId}/api-keys', 'post', (o) => api.regenerate(app.id, o), { key_number: 1 }, { key_number: 2 }],
    ['/v1/members', 'post', (o) => api.addMember(o), { email: 'keyed@example.com', role: 'member' }, { email: 'other@example.com' }],
    ['/v1/members/{userId}', 'patch', (o) => api.updateMember(mia.id, o), { role: 'admin' }, { role: 'viewer' }],
    ['/v1/members/{userId}', 'delete', (o) => api.removeMember(mia.id, o), {}, { other: true }],
  ];
  for (const [path, method, call, body, otherBody] of writes) {
    const key = `documented ${method} ${path}`;
    const keyed = (value: object) => ({ token: star, headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(value) });
    const first = await call(keyed(body));
    expect(first.status, `${method} ${path}`).toBeLessThan(300);
    const retry = await call(keyed(body));
    expect([retry.status, retry.text, retry.headers.get('idempotent-replayed')]).toEqual([first.status, first.text, 'true']);
    checkApi(path, method, await call(keyed(otherBody)));
    await db.idempotentRequest.updateMany({
      where: { key },
      data: { status: null, body: null, leaseToken: 'elsewhere', leaseUntil: new Date(Date.now() + 60_000) },
    });
    checkApi(path, method, await call(keyed(body)));
  }

  const key = (await currentKeys(app.id))[1];
  const rows = await sql(runtime.url, key, 'SELECT 1 AS one');
  check('/v1/sql', 'post', rows.status, 'application/json', await rows.json());
  const bad = await sql(runtime.url, key, 'SELEC 1');
  check('/v1/sql', 'post', bad.status, 'application/json', await bad.json());
  const slow = await sql(runtime.url, key, 'SELECT count(*) AS n FROM range(100000) a, range(100000) b WHERE a.range * b.range = 7');
  check('/v1/sql', 'post', slow.status, 'application/json', await slow.json());
  const huge = await sql(runtime.url, key, `SELECT '${'x'.repeat(1024 * 1024 + 1)}' AS s`);
  check('/v1/sql', 'post', huge.status, 'application/json', await huge.json());
  const health = await fetch(`${runtime.url}/health`);
  check('/health', 'get', health.status, 'text/plain', await health.text());
  const ready = await fetch(`${runtime.url}/v1/ready`);
  check('/v1/ready', 'get', ready.status, 'text/plain', await ready.text());
  // Failed authentications last: the runtime counts them per address (this test's one address).
  let refused = await sql(runtime.url, 'spk_wrong', 'SELECT 1');
  check('/v1/sql', 'post', refused.status, 'text/plain', await refused.text());
  for (let i = 0; i < 20 && refused.status === 401; i++) refused = await sql(runtime.url, 'spk_wrong', 'SELECT 1');
  check('/v1/sql', 'post', refused.status, 'application/json', await refused.json());

  const documented = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).flatMap(([method, operation]) => Object.keys(operation.responses ?? {}).map((status) => `${method} ${path} ${status}`)),
  );
  expect(
    // The OAuth token endpoint's answers are checked against the document in oauth-clients.test.ts.
    documented.filter((entry) => !seen.has(entry) && !entry.includes(' /api/oauth/token ')),
    'documented but never answered here',
  ).toEqual([]);
});
