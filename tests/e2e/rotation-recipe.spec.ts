// docs/rotation-as-code.md, run as written: the scheduled job (docs/examples/rotate-idle-key.mjs)
// rotates the idle key of an app with an OAuth client, safely retried, and the receiver
// (docs/examples/webhook-receiver.mjs) learns of it by a signed webhook and fetches the new keys.
// Both run as separate Node processes against the real portal and runtime; the job from a fresh
// folder outside the project, as it would run in CI.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test, type Page } from '@playwright/test';
import { createApp, openGeneral, readKey, signUp } from './helpers';
import { query } from './instances';
import { portalURL, runtimeURL } from './servers';

const run = promisify(execFile);
/** The examples run with nothing of the tests' environment: only what the recipe says to set. */
const bareEnv = { PATH: process.env.PATH, NODE_ENV: 'production' } as const;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Creates an OAuth client on Organization → Settings → OAuth clients, as the recipe's step 1 says. */
async function createClient(page: Page, org: string, name: string, scope: 'apps:read' | 'apps:write') {
  await page.goto(`/${org}/settings/oauth-clients`);
  await page.getByLabel('Name').fill(name);
  await page.getByRole('radio', { name: new RegExp(`^${scope} `) }).check();
  await page.getByRole('button', { name: 'Create client' }).click();
  const panel = page.getByRole('region', { name: 'New client secret' });
  await expect(panel).toContainText('It cannot be shown again');
  return { id: await panel.getByLabel('Client id').inputValue(), secret: await panel.getByLabel('Client secret').inputValue() };
}

/** Adds a webhook endpoint on Organization → Settings → Webhooks (step 3) and reads its signing secret, shown once. */
async function addWebhook(page: Page, org: string, url: string) {
  await page.goto(`/${org}/settings/webhooks`);
  await page.getByLabel('URL').fill(url);
  await page.getByLabel('Description (optional)').fill('key sync');
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  const panel = page.getByRole('region', { name: 'New signing secret' });
  await expect(panel).toContainText('It cannot be shown again');
  return { secret: await panel.getByLabel('New signing secret').inputValue() };
}

let receiver: ChildProcess | undefined;
let folder: string | undefined;
test.afterEach(async () => {
  receiver?.kill();
  if (folder) await rm(folder, { recursive: true, force: true });
});

test('a scheduled job rotates the idle key with an OAuth client, and a webhook receiver fetches the new key', async ({ page }) => {
  test.setTimeout(120_000);
  const account = await signUp(page, 'Rhea');
  await createApp(page, account.org, 'recipe-app');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const oldKey2 = await readKey(page, 2);

  const job = await createClient(page, account.org, 'ci-rotate', 'apps:write');
  const sync = await createClient(page, account.org, 'key-sync', 'apps:read');

  // The app's clients use API Key 1: the job must pick API Key 2, the idle one.
  expect((await query(runtimeURL, key1)).status).toBe(200);
  const token = await (
    await fetch(`${portalURL}/api/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: job.id, client_secret: job.secret }),
    })
  ).json();
  const apps = await (await fetch(`${portalURL}/v1/apps`, { headers: { authorization: `Bearer ${token.access_token}` } })).json();
  const id = String(apps.apps.find((a: { name: string }) => a.name === 'recipe-app').id);
  await expect
    .poll(
      async () =>
        (await (await fetch(`${portalURL}/v1/apps/${id}/api-keys`, { headers: { authorization: `Bearer ${token.access_token}` } })).json()).api_key_usage
          .requests_last_hour,
      {
        timeout: 20_000,
      },
    )
    .toBeGreaterThan(0);

  // The receiver, subscribed to api_key.regenerated (step 3).
  const port = await freePort();
  const hook = await addWebhook(page, account.org, `http://127.0.0.1:${port}/hooks`);
  folder = await mkdtemp(path.join(os.tmpdir(), 'rotation-recipe-'));
  const keysDir = path.join(folder, 'keys');
  receiver = spawn(process.execPath, ['docs/examples/webhook-receiver.mjs'], {
    env: {
      ...bareEnv,
      PORT: String(port),
      WEBHOOK_SECRET: hook.secret,
      SPICE_PORTAL_URL: portalURL,
      SPICE_CLIENT_ID: sync.id,
      SPICE_CLIENT_SECRET: sync.secret,
      KEYS_DIR: keysDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await new Promise<void>((resolve, reject) => {
    receiver!.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('listening') && resolve());
    receiver!.once('exit', (code) => reject(new Error(`the receiver exited with ${code}`)));
  });

  // The job (step 2), from a folder of its own, as CI runs it.
  const script = path.join(folder, 'rotate-idle-key.mjs');
  await copyFile('docs/examples/rotate-idle-key.mjs', script);
  const keyFile = path.join(folder, 'spice-key');
  const env = {
    ...bareEnv,
    SPICE_PORTAL_URL: portalURL,
    SPICE_CLIENT_ID: job.id,
    SPICE_CLIENT_SECRET: job.secret,
    SPICE_APP_ID: id,
    KEY_FILE: keyFile,
    ROTATION_ID: 'run-1',
  };
  const first = await run(process.execPath, [script], { cwd: folder, env });
  expect(first.stdout).toContain(`Regenerated API Key 2 of app ${id}`);
  const newKey2 = (await readFile(keyFile, 'utf8')).trim();
  expect(newKey2).toMatch(/^spk_/);
  expect(newKey2).not.toBe(oldKey2);
  expect(`${first.stdout}${first.stderr}`).not.toContain(newKey2);
  // The job's answer was lost (the file is gone), and CI re-runs the same run (same ROTATION_ID):
  // the new key is idle still, so the job asks for the same regeneration, and the retry answers
  // the same key without rotating again.
  await rm(keyFile);
  const rerun = await run(process.execPath, [script], { cwd: folder, env });
  expect(rerun.stdout).toContain(`Regenerated API Key 2 of app ${id}`);
  expect((await readFile(keyFile, 'utf8')).trim()).toBe(newKey2);
  // The old key stops at once; the clients on API Key 1 never noticed.
  expect((await query(runtimeURL, oldKey2)).status).toBe(401);
  expect((await query(runtimeURL, newKey2)).status).toBe(200);
  expect((await query(runtimeURL, key1)).status).toBe(200);
  await page.goto(`/${account.org}/recipe-app/settings/general`);
  expect(await readKey(page, 2)).toBe(newKey2);
  await expect(page.getByText(/Regenerated .* via OAuth client ci-rotate/)).toBeVisible();

  // The receiver verified the signed delivery and fetched the new keys with its own client.
  await expect
    .poll(
      async () =>
        readFile(path.join(keysDir, `${id}.json`), 'utf8').then(
          (text) => JSON.parse(text),
          () => null,
        ),
      { timeout: 30_000 },
    )
    .toEqual({ api_key: key1, api_key_2: newKey2 });
});

test('the job says in one line that the portal cannot be reached, and exits with 1', async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'rotation-'));
  const script = path.join(folder, 'rotate-idle-key.mjs');
  await copyFile('docs/examples/rotate-idle-key.mjs', script);
  const closed = `http://127.0.0.1:${await freePort()}`;
  const env = { ...bareEnv, SPICE_PORTAL_URL: closed, SPICE_CLIENT_ID: 'x', SPICE_CLIENT_SECRET: 'y', SPICE_APP_ID: '1', KEY_FILE: path.join(folder, 'key') };
  const failed = await run(process.execPath, [script], { cwd: folder, env }).then(
    () => null,
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  expect(failed?.code).toBe(1);
  expect(failed?.stderr.trim()).toBe(
    `Could not reach ${closed}: ECONNREFUSED. Re-run the job with the same ROTATION_ID: a rotation that did get through is then not repeated.`,
  );
});
