// Real responses of the management API and the runtime, checked against GET /v1/openapi.json.
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { api, json, tokenFor } from './api-client';
import { addMember, currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';
import { sql, startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  runtime = await startRuntime();
});
afterAll(() => runtime.stop());

const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

it('describes every answer the APIs give, and the answers match it', async () => {
  const doc = await api.openapi();
  expect(doc.status).toBe(200);
  const document = doc.json as { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown> }> }>> };
  expect(document.openapi).toBe('3.1.0');

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi');

  function check(path: string, method: string, status: number, contentType: string, body: unknown) {
    const responses = document.paths[path]?.[method]?.responses;
    expect(responses, `${method} ${path} is documented`).toBeDefined();
    const response = responses![String(status)];
    expect(response, `${method} ${path} documents ${status}`).toBeDefined();
    if (!response!.content) return;
    expect(response!.content[contentType], `${method} ${path} ${status} documents ${contentType}`).toBeDefined();
    const validate = ajv.getSchema(`openapi#/${pointer('paths', path, method, 'responses', String(status), 'content', contentType, 'schema')}`)!;
    expect(validate(body), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  }

  const { user, org } = await newUser('Olga');
  const app = await newApp(user, org.name, 'documented-app');
  const reader = await tokenFor(user, { org: org.name, scope: 'apps:read' });
  const writer = await tokenFor(user, { org: org.name, scope: 'apps:write' });
  // A viewer's token: apps without keys, and 403 for the keys.
  const { user: vera } = await newUser('Vera');
  await signInAs(user);
  expect((await addMember({ org: org.name, email: vera.email, role: 'viewer' })).ok).toBe(true);
  const viewer = await tokenFor(vera, { org: org.name, scope: 'apps:write' });

  const cases = [
    ['/v1/apps', 'get', await api.listApps({ token: reader })],
    ['/v1/apps', 'get', await api.listApps({ token: null })],
    ['/v1/apps', 'get', await api.listApps({ token: viewer })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(app.id, { token: viewer })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: viewer })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(app.id, { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys('abc', { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(424242, { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'get', await api.getKeys(app.id, { authorization: 'Bearer nope' })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: writer, ...json({ key_number: 0 }) })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: reader })],
    ['/v1/apps/{appId}/api-keys', 'post', await api.regenerate(app.id, { token: writer, ...json({ key_number: 7 }) })],
  ] as const;
  const statuses = new Set<number>();
  for (const [path, method, res] of cases) {
    statuses.add(res.status);
    check(path, method, res.status, 'application/json', res.json);
  }
  expect([...statuses].sort()).toEqual([200, 400, 401, 403, 404]);

  const key = (await currentKeys(app.id))[1];
  const rows = await sql(runtime.url, key, 'SELECT 1 AS one');
  check('/v1/sql', 'post', rows.status, 'application/json', await rows.json());
  const refused = await sql(runtime.url, 'spk_wrong', 'SELECT 1');
  check('/v1/sql', 'post', refused.status, 'text/plain', await refused.text());
  const bad = await sql(runtime.url, key, 'SELEC 1');
  check('/v1/sql', 'post', bad.status, 'application/json', await bad.json());
  const health = await fetch(`${runtime.url}/health`);
  check('/health', 'get', health.status, 'text/plain', await health.text());
  const ready = await fetch(`${runtime.url}/v1/ready`);
  check('/v1/ready', 'get', ready.status, 'text/plain', await ready.text());
});
