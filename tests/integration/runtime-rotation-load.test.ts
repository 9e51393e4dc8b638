// "Immediately", under load: while concurrent clients query with a key, it is regenerated. Once
// the regeneration has returned, not one request sent with the old key succeeds.
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { currentKeys, newApp, newUser } from './fixtures';
import { signInAs } from './request';
import { startRuntime } from './runtime-helpers';

let runtime: Awaited<ReturnType<typeof startRuntime>>;
beforeAll(async () => {
  // 16 clients of one app: with the default limits they all run or wait (an organization may
  // have 64 queries waiting), so that every request measures the key check.
  runtime = await startRuntime({ RUNTIME_AUTH_FAILURES_PER_MINUTE: '0' });
});
afterAll(() => runtime.stop());

type Outcome = { sentAt: number; status: number };

it('no request with the old key succeeds once regeneration has returned, with 16 clients querying', async () => {
  const { user, org } = await newUser('Lou');
  const app = await newApp(user, org.name, 'load-app');
  const oldKey = (await currentKeys(app.id))[1];
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  const outcomes: Outcome[] = [];
  let stop = false;

  function send(): Promise<Outcome> {
    return new Promise((resolve, reject) => {
      const sentAt = performance.now();
      const req = http.request(`${runtime.url}/v1/sql`, { method: 'POST', agent, headers: { 'X-API-Key': oldKey, 'Content-Type': 'text/plain' } }, (res) => {
        res.resume();
        res.on('end', () => resolve({ sentAt, status: res.statusCode ?? 0 }));
      });
      req.on('error', reject);
      req.end('SELECT 1 AS one');
    });
  }

  // Checks run after every answer, for `until` below.
  const checks = new Set<() => void>();
  const clients = Array.from({ length: 16 }, async () => {
    // Bounded: at most 2000 requests per client, and the loop stops soon after the rotation.
    for (let i = 0; i < 2000 && !stop; i++) {
      outcomes.push(await send());
      for (const check of checks) check();
    }
  });
  const clientsDone = Promise.all(clients);
  /** Resolves once the answers so far pass the test; fails if the clients stop before they do. */
  const until = (what: string, test: () => boolean) =>
    Promise.race([
      new Promise<void>((resolve) => {
        const check = () => {
          if (!test()) return;
          checks.delete(check);
          resolve();
        };
        checks.add(check);
        check();
      }),
      clientsDone.then(() => {
        throw new Error(`The clients stopped before ${what}.`);
      }),
    ]);

  // The load is on (the old key answered 50 times), then the key is regenerated in the middle of it.
  await until('the old key answered 50 times', () => outcomes.filter((o) => o.status === 200).length >= 50);
  await signInAs(user);
  const result = await regenerateApiKey({ appId: app.id, slot: 1 });
  const returnedAt = performance.now();
  expect(result.ok).toBe(true);
  // The load stays on until more than 60 requests were sent after the rotation, however busy the machine is.
  await until('60 requests were sent after the rotation', () => outcomes.filter((o) => o.sentAt >= returnedAt).length > 60);
  stop = true;
  await clientsDone;
  agent.destroy();

  const after = outcomes.filter((o) => o.sentAt >= returnedAt);
  expect(after.filter((o) => o.status !== 401)).toEqual([]);
});
