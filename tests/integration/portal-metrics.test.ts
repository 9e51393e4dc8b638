// The portal's metrics and request log: GET /api/metrics only with the token (the same 404 as an
// unknown path otherwise), parsed with a real Prometheus text parser after real actions, API
// calls and sign-ins, the counters moving as they did; and the log lines of the same traffic,
// which hold no password, token or key.
import { Writable } from 'node:stream';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const METRICS_TOKEN = 'metrics-token-for-the-test-0123456789';
process.env.METRICS_TOKEN = METRICS_TOKEN;

const { GET } = await import('@/app/api/metrics/route');
const { authOptions } = await import('@/lib/auth/options');
const { createApp } = await import('@/lib/actions/create-app');
const { logTo } = await import('@/lib/observability');
const { api, tokenFor } = await import('./api-client');
const { currentKeys, newApp, newUser } = await import('./fixtures');
const { signOut } = await import('./request');
const { db } = await import('@/lib/db');
const { enqueue } = await import('@/lib/outbox/outbox');

const lines: string[] = [];
const metrics = (authorization?: string) =>
  GET(new Request('http://portal.test/api/metrics', { headers: authorization === undefined ? {} : { authorization } }));

async function scrape() {
  const res = await metrics(`Bearer ${METRICS_TOKEN}`);
  expect(res.status).toBe(200);
  return parsePrometheusTextFormat(await res.text());
}

function value(families: ReturnType<typeof parsePrometheusTextFormat>, name: string, labels: Record<string, string>): number {
  const samples = families.filter((f) => f.name === name).flatMap((f) => f.metrics);
  return samples.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v)).reduce((n, m) => n + Number(m.value ?? 0), 0);
}

type Authorize = (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<unknown>;
function passwordSignIn(email: string, password: string) {
  const provider = authOptions().providers.find((p) => p.id === 'credentials') as unknown as {
    options: { authorize: Authorize };
  };
  return provider.options.authorize({ email, password }, { headers: {} }).catch((error: Error) => error);
}

beforeAll(() => {
  logTo(new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(...chunk.toString().split('\n').filter(Boolean)), done()) }));
});
afterAll(() => undefined);

describe('GET /api/metrics', () => {
  it('answers 404, as for any unknown path, without the token or with a wrong one', async () => {
    for (const authorization of [undefined, '', 'Bearer', `Bearer ${METRICS_TOKEN}x`, `Bearer ${METRICS_TOKEN.slice(0, -1)}`, `Basic ${METRICS_TOKEN}`]) {
      const res = await metrics(authorization);
      expect([res.status, await res.text()]).toEqual([404, 'Not found.']);
    }
  });

  it('counts actions, management API requests and sign-ins by outcome, and logs each without a secret', async () => {
    const before = await scrape();
    const { user, org } = await newUser('Metric');
    const app = await newApp(user, org.name);
    signOut();
    expect(await createApp({ org: org.name, name: 'signed-out-app' })).toMatchObject({ ok: false });
    const token = await tokenFor(user, { org: org.name, scope: '*' });
    expect((await api.getKeys(app.id, { token, headers: { 'X-Request-Id': 'api-trace-1' } })).headers.get('x-request-id')).toBe('api-trace-1');
    expect((await api.getKeys(app.id, { token: `${token}x` })).status).toBe(401);
    // A stranger's text in the path is counted under the same pattern: no new series, nothing of it logged.
    expect((await api.getKeys('stranger-text-1', { token: `${token}x` })).status).toBe(401);
    expect(await passwordSignIn(user.email, 'correct horse battery')).toMatchObject({ id: user.id });
    expect(await passwordSignIn(user.email, 'wrong horse battery')).toBeInstanceOf(Error);

    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => value(after, name, labels) - value(before, name, labels);
    expect(delta('portal_action_results_total', { action: 'sign-up', result: 'ok' })).toBe(1);
    expect(delta('portal_action_results_total', { action: 'create-app', result: 'ok' })).toBe(1);
    expect(delta('portal_action_results_total', { action: 'create-app', result: 'unauthorized' })).toBe(1);
    expect(delta('portal_api_requests_total', { method: 'GET', route: '/v1/apps/[id]/api-keys', status: '200' })).toBe(1);
    expect(delta('portal_api_requests_total', { method: 'GET', route: '/v1/apps/[id]/api-keys', status: '401' })).toBe(2);
    expect(JSON.stringify(after)).not.toContain('stranger-text');
    expect(lines.join('\n')).not.toContain('stranger-text');
    expect(delta('portal_sign_ins_total', { method: 'password', result: 'ok' })).toBe(1);
    expect(delta('portal_sign_ins_total', { method: 'password', result: 'invalid' })).toBe(1);
    expect(after.find((f) => f.name === 'process_resident_memory_bytes')).toBeDefined();

    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(parsed.find((line) => line.requestId === 'api-trace-1')).toMatchObject({ door: 'api', route: '/v1/apps/[id]/api-keys', status: 200, appId: app.id });
    expect(parsed.some((line) => line.door === 'action' && line.route === 'create-app' && line.status === 'unauthorized')).toBe(true);
    const keys = await currentKeys(app.id);
    const all = lines.join('\n');
    for (const secret of ['correct horse battery', 'wrong horse battery', token, keys[1], keys[2], METRICS_TOKEN]) expect(all).not.toContain(secret);
  });

  it('reports the outbox backlog, read from the database when scraped', async () => {
    const before = await scrape();
    await enqueue(db, [{ channel: 'email', kind: 'token.created', payload: { to: 'ops@example.com', subject: 'Backlog', text: 'Queued.' } }]);
    const after = await scrape();
    expect(
      value(after, 'portal_outbox_messages', { channel: 'email', status: 'pending' }) -
        value(before, 'portal_outbox_messages', { channel: 'email', status: 'pending' }),
    ).toBe(1);
    expect(value(after, 'portal_outbox_oldest_pending_seconds', {})).toBeGreaterThanOrEqual(0);
    await db.outboxMessage.deleteMany({ where: { kind: 'token.created', payload: { contains: 'Backlog' } } });
  });
});
