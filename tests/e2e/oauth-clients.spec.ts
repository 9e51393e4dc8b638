import { expect, test } from '@playwright/test';
import { portalURL } from './servers';
import { createApp, expectAccessible, signUp } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** The client credentials grant over HTTP, as a CI job would call it (JSON body). */
async function exchange(clientId: string, clientSecret: string) {
  return fetch(`${portalURL}/api/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
}

test('create an OAuth client, copy its secret once, regenerate it by typing the id, then delete it', async ({ page }) => {
  const account = await signUp(page, 'Cleo');
  await createApp(page, account.org, 'oauth-demo');

  await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Settings' }).click();
  const settingsNav = page.getByRole('navigation', { name: 'Organization settings' });
  await expect(settingsNav.getByRole('link', { name: 'Security' })).toHaveAttribute('aria-current', 'page');
  await settingsNav.getByRole('link', { name: 'OAuth clients' }).click();
  await expect(page.getByRole('heading', { name: 'OAuth clients', level: 1 })).toBeVisible();
  await expect(settingsNav.getByRole('link', { name: 'OAuth clients' })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByText('No OAuth clients yet.')).toBeVisible();
  await expectAccessible(page, 'OAuth clients');

  await page.getByLabel('Name').fill('ci-rotate');
  await page.getByLabel('Description (optional)').fill('Rotates keys from CI');
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByRole('button', { name: 'Create client' }).click();

  const panel = page.getByRole('region', { name: 'New client secret' });
  await expect(panel).toContainText('It cannot be shown again');
  const clientId = await panel.getByLabel('Client id').inputValue();
  const secret = await panel.getByLabel('Client secret').inputValue();
  expect(clientId).toMatch(/^spc_[0-9A-Za-z]{36}$/);
  expect(secret).toMatch(/^sps_[0-9A-Za-z]{36}$/);
  await panel.getByRole('button', { name: 'Copy client secret' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Client secret copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
  await expectAccessible(page, 'a new client secret shown once');

  // The list shows the client id, scopes, creator and use, never the secret again.
  await page.reload();
  const row = page.getByRole('row', { name: /ci-rotate/ });
  await expect(row).toContainText(clientId);
  await expect(row).toContainText('apps:write');
  await expect(row).toContainText('Cleo');
  await expect(page.getByText(secret)).toHaveCount(0);

  // The secret works over HTTP; its token lists the organization's apps.
  const first = await exchange(clientId, secret);
  expect(first.status).toBe(200);
  const { access_token: token } = await first.json();
  const listed = await (await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).json();
  const rotated = await fetch(`${portalURL}/v1/apps/${listed.apps[0].id}/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_number: 2 }),
  });
  expect(rotated.status).toBe(200);
  // The change is the client's, with no user behind it, on Activity and on the General page.
  await page.goto(`/${account.org}/activity`);
  const change = page.getByRole('row', { name: /Regenerated API Key 2 of oauth-demo/ });
  await expect(change).toContainText('No user');
  await expect(change).toContainText('via OAuth client ci-rotate');
  await page.goto(`/${account.org}/oauth-demo/settings/general`);
  await expect(page.getByText(/Regenerated (just now|\d+ seconds ago) via OAuth client ci-rotate/)).toBeVisible();
  await page.goto(`/${account.org}/settings/oauth-clients`);

  // Regenerate: the button stays disabled until the client id is typed.
  await page.getByRole('button', { name: 'Regenerate secret of ci-rotate' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Regenerate the secret of ci-rotate?' });
  await expect(dialog.getByRole('button', { name: 'Regenerate secret' })).toBeDisabled();
  await expectAccessible(page, 'the regenerate secret dialog');
  await dialog.getByLabel(`Type ${clientId} to confirm`).fill(clientId);
  await dialog.getByRole('button', { name: 'Regenerate secret' }).click();
  const shown = page.getByRole('dialog', { name: 'New secret for ci-rotate' });
  const newSecret = await shown.getByRole('textbox', { name: 'Client secret' }).inputValue();
  expect(newSecret).not.toBe(secret);
  await expectAccessible(page, 'the new secret dialog');
  await shown.getByRole('button', { name: 'Done' }).click();
  await expect(shown).toBeHidden();
  // The old secret and its token stop at once; the new secret works.
  expect((await exchange(clientId, secret)).status).toBe(401);
  expect((await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(401);
  expect((await exchange(clientId, newSecret)).status).toBe(200);

  // Delete, behind a confirmation: Cancel changes nothing.
  await page.getByRole('button', { name: 'Delete ci-rotate' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Delete ci-rotate?' });
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('row', { name: /ci-rotate/ })).toBeVisible();
  await page.getByRole('button', { name: 'Delete ci-rotate' }).click();
  await confirm.getByRole('button', { name: 'Delete client' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted ci-rotate' })).toBeVisible();
  await expect(page.getByText('No OAuth clients yet.')).toBeVisible();
  expect((await exchange(clientId, newSecret)).status).toBe(401);

  // Activity still names the deleted client.
  await page.goto(`/${account.org}/activity`);
  await expect(page.getByRole('cell', { name: 'Deleted OAuth client ci-rotate and revoked its access tokens' })).toBeVisible();
  await expect(page.getByRole('cell', { name: /Created OAuth client ci-rotate/ })).toBeVisible();
});
