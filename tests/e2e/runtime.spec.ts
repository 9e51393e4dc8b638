import { expect, test } from './fixtures';
import { runtimeURL } from './servers';
import { createApp, expectAccessible, openGeneral, readKey } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

async function query(key: string, sql: string) {
  return fetch(`${runtimeURL}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql });
}

test('a key copied from the General page queries the app at the runtime, until it is regenerated', async ({ page, account }) => {
  await expect.poll(async () => (await fetch(`${runtimeURL}/health`).catch(() => null))?.status).toBe(200);
  await createApp(page, account.org, 'runtime-demo');
  await openGeneral(page);

  const connect = page.getByRole('region', { name: 'Connect' });
  await expect(connect.getByText(runtimeURL, { exact: true })).toBeVisible();
  await expect(connect.getByText(`curl -X POST ${runtimeURL}/v1/sql`)).toBeVisible();
  const key1 = await readKey(page, 1);
  await expect(connect).toContainText(key1.slice(-4));
  await expect(connect).not.toContainText(key1);
  await expect(page.getByText(/Never used/)).toHaveCount(2);
  await expectAccessible(page, 'Settings → General with the Connect panel');

  await page.getByLabel('API Key 1', { exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 copied' })).toBeVisible();
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const res = await query(copied, 'SELECT COUNT(*) AS trips FROM taxi_trips');
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual([{ trips: 10000 }]);

  await page.reload();
  await expect(page.getByText(/Last used (just now|\d+ seconds ago)/)).toHaveCount(1);

  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  await page.getByRole('alertdialog', { name: 'Regenerate API Key 1?' }).getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
  const old = await query(copied, 'SELECT 1');
  expect([old.status, await old.text()]).toEqual([401, 'Unauthorized']);
  expect((await query(await readKey(page, 1), 'SELECT 1 AS one')).status).toBe(200);
  expect((await query(await readKey(page, 2), 'SELECT 1 AS one')).status).toBe(200);
});
