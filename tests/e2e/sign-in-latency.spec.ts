// Password hashing stays off the event loop: while 20 sign-ins hash at once (scrypt at the
// production cost), the portal keeps answering. Runs with the several-instances tests, after the
// others and one at a time, so that nothing else loads the machine while it measures.
import { expect, test } from '@playwright/test';
import { signUp } from './helpers';
import { startInstance, type Instance } from './instances';
import { portalPort, runtimePort } from './servers';

let server: Instance;
test.beforeAll(async () => {
  test.setTimeout(120_000);
  // The production hashing cost (the other browser tests use a low one to save time).
  server = await startInstance('latency', { portal: portalPort + 6, runtime: runtimePort + 6 }, { PASSWORD_HASH_COST: '15' });
});
test.afterAll(async () => {
  await server?.stop();
});

async function signInOverHttp(base: string, account: { email: string; password: string }, csrf: { token: string; cookie: string }): Promise<boolean> {
  const response = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrf.cookie },
    body: new URLSearchParams({ csrfToken: csrf.token, email: account.email, password: account.password, json: 'true' }),
    redirect: 'manual',
  });
  return response.ok && response.headers.getSetCookie().some((cookie) => cookie.startsWith('next-auth.session-token='));
}

test('under 20 concurrent sign-ins at the production cost, /api/health keeps answering: 90% within 200 ms, none for seconds', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto(server.portalURL);
  const account = await signUp(page, 'Lena').catch(async () => {
    throw new Error('sign-up on the latency server failed');
  });
  const csrfResponse = await fetch(`${server.portalURL}/api/auth/csrf`);
  const csrf = {
    token: ((await csrfResponse.json()) as { csrfToken: string }).csrfToken,
    cookie: csrfResponse.headers
      .getSetCookie()
      .map((cookie) => cookie.split(';')[0])
      .join('; '),
  };
  // Warm up both routes, then measure.
  expect(await signInOverHttp(server.portalURL, account, csrf)).toBe(true);
  await fetch(`${server.portalURL}/api/health`);

  const started = performance.now();
  let done = false;
  const storm = Promise.all(Array.from({ length: 20 }, () => signInOverHttp(server.portalURL, account, csrf))).finally(() => (done = true));
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const health = await fetch(`${server.portalURL}/api/health`);
    await health.text();
    latencies.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const results = await storm;
  const stormMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!);
  const summary = {
    signIns: results.length,
    stormMs: Math.round(stormMs),
    healthChecks: latencies.length,
    p50: at(0.5),
    p90: at(0.9),
    max: Math.round(latencies.at(-1)!),
  };
  console.log('sign-in storm:', JSON.stringify(summary));

  expect(results.every(Boolean)).toBe(true);
  // The portal answered all along, not only once the hashing was over: many checks during the storm.
  expect(latencies.length).toBeGreaterThanOrEqual(10);
  // Nearly every health check answers within 200 ms. Margins for a shared test machine: the first
  // check queues behind the 20 sign-in requests' own arrival (as it would behind any 20 requests),
  // so the slowest one may take longer, but not the seconds that hashing on the event loop cost
  // (60 sign-ins once held /api/health for 9 s).
  expect(summary.p90).toBeLessThan(200);
  expect(summary.max).toBeLessThan(3_000);
});
