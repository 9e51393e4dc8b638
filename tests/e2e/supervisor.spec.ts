// npm start supervises both servers: a runtime that crashes (here: SIGKILL) while the portal is in
// use is logged and restarted within seconds, and the portal never stops answering. SIGTERM to
// npm start still stops both, cleanly.
import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { instanceEnv, portalPort, runtimePort } from './servers';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const answers = (url: string) =>
  fetch(url).then(
    (r) => r.ok,
    () => false,
  );

test('a killed runtime is restarted within seconds while the portal keeps serving; SIGTERM stops both', async ({ page }) => {
  test.setTimeout(180_000);
  const ports = { portal: portalPort + 7, runtime: runtimePort + 7 };
  const portal = `http://127.0.0.1:${ports.portal}`;
  const runtime = `http://127.0.0.1:${ports.runtime}`;
  const supervisor = spawn('node_modules/.bin/tsx', ['scripts/start.ts', '--skip-build'], {
    env: { ...process.env, ...instanceEnv('supervised', ports) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  supervisor.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  supervisor.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | null>((resolve) => supervisor.once('exit', (code) => resolve(code)));
  try {
    for (let i = 0; i < 450 && !((await answers(`${portal}/api/health`)) && (await answers(`${runtime}/health`))); i++) await sleep(200);
    const pid = Number(/runtime started \(pid (\d+)\)/.exec(output)?.[1]);
    expect(pid).toBeGreaterThan(0);

    // The portal in use in a browser.
    await page.goto(`${portal}/login`);
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();
    let downFor = -1;
    while (Date.now() - killedAt < 30_000) {
      // Every moment the runtime is down, the portal answers.
      expect((await fetch(`${portal}/api/health`)).status).toBe(200);
      if (await answers(`${runtime}/health`)) {
        downFor = Date.now() - killedAt;
        break;
      }
      await sleep(100);
    }
    expect(downFor).toBeGreaterThanOrEqual(0);
    expect(downFor).toBeLessThan(15_000);
    // The new runtime checks keys against the database as before.
    const unknown = await fetch(`${runtime}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': 'spk_not-a-key' }, body: 'SELECT 1' });
    expect([unknown.status, await unknown.text()]).toEqual([401, 'Unauthorized']);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    expect(output).toMatch(/\[start\] runtime killed by SIGKILL after \d+ s; restarting it in 1 s \(portal still serving\)/);
    expect(output.match(/runtime started \(pid \d+\)/g)).toHaveLength(2);
  } finally {
    supervisor.kill('SIGTERM');
  }
  expect(await exited).toBe(0);
  expect(await answers(`${portal}/api/health`)).toBe(false);
  expect(await answers(`${runtime}/health`)).toBe(false);
});
