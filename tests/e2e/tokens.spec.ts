import { expect, test } from '@playwright/test';
import { portalURL } from './servers';
import { createApp, expectAccessible, openGeneral, readKey, signUp } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('create a token, copy it once, rotate a key with it, then revoke it behind a confirmation', async ({ page }) => {
  const account = await signUp(page, 'Tara');
  await createApp(page, account.org, 'token-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);

  await page.getByRole('button', { name: 'User menu for Tara' }).click();
  await page.getByRole('link', { name: 'Personal access tokens' }).click();
  await expect(page.getByRole('heading', { name: 'Personal access tokens', level: 1 })).toBeVisible();
  await expectAccessible(page, 'personal access tokens');

  await page.getByLabel('Name').fill('ci-rotate');
  await page.getByLabel('Organization').selectOption(account.org);
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByLabel('Expiration').selectOption('none');
  await expect(page.getByRole('note')).toContainText('works until you revoke it');
  await page.getByLabel('Expiration').selectOption('90');
  await page.getByRole('button', { name: 'Create token' }).click();

  const panel = page.getByRole('region', { name: 'New token' });
  await expect(panel).toContainText('It cannot be shown again');
  const token = await panel.getByLabel('New token').inputValue();
  expect(token).toMatch(/^spt_[0-9A-Za-z]{36}$/);
  await panel.getByRole('button', { name: 'Copy token' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Token copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);
  await expectAccessible(page, 'a new token shown once');

  // The list shows it, never the token itself again.
  await page.reload();
  const row = page.getByRole('row', { name: /ci-rotate/ });
  await expect(row).toContainText(account.org);
  await expect(row).toContainText('apps:write');
  await expect(row).toContainText(`spt_…${token.slice(-4)}`);
  await expect(page.getByText(token)).toHaveCount(0);

  // A second token of the same name is refused inline: "Revoke ci-rotate" must name one token.
  await page.getByLabel('Name').fill('ci-rotate');
  await page.getByRole('button', { name: 'Create token' }).click();
  const taken = 'You already have a token named ci-rotate. Token names are unique, revoked and expired tokens included.';
  await expect(page.getByLabel('Name')).toHaveAccessibleDescription(taken);
  await expect(page.getByRole('row', { name: /ci-rotate/ })).toHaveCount(1);

  // The management API, over HTTP, as curl would call it.
  const rotated = await fetch(
    `${portalURL}/v1/apps/${(await (await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).json()).apps[0].id}/api-keys`,
    {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ key_number: 1 }),
    },
  );
  expect(rotated.status).toBe(200);
  const body = await rotated.json();
  expect(body.regenerated_key).toBe(1);
  expect(body.api_key).not.toBe(key1);

  await page.goto(`/${account.org}/token-demo/settings/general`);
  expect(await readKey(page, 1)).toBe(body.api_key);
  await expect(page.getByText(/Regenerated (just now|\d+ seconds ago) by Tara via token ci-rotate/)).toBeVisible();

  // Revoke: Cancel first changes nothing, then Revoke.
  await page.goto('/settings/tokens');
  const revoke = page.getByRole('button', { name: 'Revoke ci-rotate' });
  await revoke.click();
  const dialog = page.getByRole('alertdialog', { name: 'Revoke ci-rotate?' });
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(revoke).toBeFocused();
  expect((await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  await revoke.click();
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'ci-rotate revoked' })).toBeVisible();
  // Revoked tokens are shown apart, greyed, in a collapsed group.
  await expect(page.getByRole('region', { name: 'Your tokens table' })).toHaveCount(0);
  await expect(page.getByText('No current tokens.')).toBeVisible();
  await expect(page.getByRole('row', { name: /ci-rotate/ })).toBeHidden();
  await page.getByText('Revoked and expired tokens (1)').click();
  const revoked = page.getByRole('region', { name: 'Revoked and expired tokens table' });
  await expect(revoked.getByRole('row', { name: /ci-rotate/ })).toContainText('Revoked');
  await expect(revoked.getByRole('button')).toHaveCount(0);
  await expectAccessible(page, 'revoked tokens, shown apart');
  const refused = await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } });
  expect([refused.status, await refused.json()]).toEqual([401, { error: 'Invalid token', code: 'unauthorized' }]);
});

test('the OpenAPI document is served', async () => {
  const res = await fetch(`${portalURL}/v1/openapi.json`);
  expect(res.status).toBe(200);
  const doc = await res.json();
  expect(doc.openapi).toBe('3.1.0');
  expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/apps', '/v1/apps/{appId}/api-keys', '/v1/sql', '/health', '/v1/ready']));
});

test('a path or method the management API does not have answers JSON, not a page', async () => {
  for (const path of ['/v1', '/v1/app', '/v1/apps/1/keys']) {
    const res = await fetch(`${portalURL}${path}`, { headers: { Authorization: 'Bearer spt_unknown' }, redirect: 'manual' });
    expect([res.status, res.headers.get('content-type'), (await res.json()).code], path).toEqual([404, 'application/json', 'not_found']);
  }
  const res = await fetch(`${portalURL}/v1/orgs`, { method: 'DELETE', redirect: 'manual' });
  expect([res.status, res.headers.get('allow'), (await res.json()).code]).toEqual([405, 'GET', 'method_not_allowed']);
});
