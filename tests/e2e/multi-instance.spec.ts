// Two instances (each a portal and a runtime, production builds) on one database: a key
// regenerated through instance A is rejected by instance B's runtime on the very next request.
import { expect, test } from '@playwright/test';
import { createApp, openGeneral, readKey, signUp } from './helpers';
import { query, startInstance, type Instance } from './instances';
import { portalURL, runtimeURL } from './servers';

let b: Instance;
test.beforeAll(async () => {
  b = await startInstance('b', { portal: 3211, runtime: 8191 });
});
test.afterAll(async () => {
  await b?.stop();
});

test('regenerating through A (portal and management API) cuts the old key off on B at once; sessions carry over', async ({ page }) => {
  test.setTimeout(120_000);
  const account = await signUp(page, 'Ines');
  await createApp(page, account.org, 'shared-app');
  await openGeneral(page);
  const oldKey1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);

  // The session made on A works on B.
  await page.goto(`${b.portalURL}/${account.org}/shared-app/settings/general`);
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
  expect(await readKey(page, 1)).toBe(oldKey1);
  expect((await query(b.runtimeURL, oldKey1)).status).toBe(200);

  // Regenerate key 1 in A's portal; B's runtime refuses the old key on the next request.
  await page.goto(`${portalURL}/${account.org}/shared-app/settings/general`);
  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
  const old = await query(b.runtimeURL, oldKey1);
  expect([old.status, await old.text()]).toEqual([401, 'Unauthorized']);
  const newKey1 = await readKey(page, 1);
  expect((await query(b.runtimeURL, newKey1)).status).toBe(200);
  expect((await query(runtimeURL, newKey1)).status).toBe(200);
  expect((await query(b.runtimeURL, key2)).status).toBe(200);

  // The same through A's management API, with a token made on B's portal.
  await page.goto(`${b.portalURL}/settings/tokens`);
  await page.getByLabel('Name').fill('rotate');
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByRole('region', { name: 'New token' }).getByLabel('New token').inputValue();
  const apps = await (await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).json();
  const appId = apps.apps.find((app: { name: string }) => app.name === 'shared-app').id;
  const rotated = await fetch(`${portalURL}/v1/apps/${appId}/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_number: 2 }),
  });
  expect(rotated.status).toBe(200);
  const body = await rotated.json();
  expect((await query(b.runtimeURL, key2)).status).toBe(401);
  expect((await query(b.runtimeURL, body.api_key_2)).status).toBe(200);
  expect((await query(b.runtimeURL, newKey1)).status).toBe(200);
});
