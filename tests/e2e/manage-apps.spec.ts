// Apps a team can manage from Settings → General: URLs in any case, names unique regardless of
// case, rename and description, and delete by typing the name, after which the runtime refuses
// both old keys. Members see the values and the reasons, not the controls.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { portalURL, runtimeURL } from './servers';
import { addMember, createApp, expectAccessible, readKey, signUp } from './helpers';

function query(key: string) {
  return fetch(`${runtimeURL}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: 'SELECT 1 AS one' });
}

const breadcrumbCurrent = (page: Page) => page.getByRole('navigation', { name: 'Breadcrumb' }).locator('[aria-current="page"]');

test('a name that differs only by case is refused; URLs work in any case', async ({ page, account }) => {
  await createApp(page, account.org, 'case-demo');
  await page.goto(`/${account.org}/new`);
  await page.getByLabel('App name').fill('Case-Demo');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByText('An app with this name already exists in this organization.')).toBeVisible();
  await expect(page.getByLabel('App name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('App name').fill('-abc-');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByText('App name may contain only letters, digits and single hyphens, not at the start or end.')).toBeVisible();

  const response = await page.goto(`/${account.org.toUpperCase()}/Case-Demo/settings/general`);
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'App' }).getByRole('link', { name: 'Settings' })).toHaveAttribute('aria-current', 'page');
  await expect(breadcrumbCurrent(page)).toHaveText('General');
  const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
  await expect(crumbs.getByRole('link', { name: account.org })).toHaveAttribute('href', `/${account.org}`);
  await expect(crumbs.getByRole('link', { name: 'case-demo' })).toHaveAttribute('href', `/${account.org}/case-demo`);
  await expect(crumbs.getByRole('link', { name: 'Settings' })).toBeVisible();
});

test('rename and describe an app, then delete it by typing its name: both old keys are refused at once', async ({ page }) => {
  const account = await signUp(page, 'Rosa');
  await createApp(page, account.org, 'taxi-demo');
  await page.goto(`/${account.org}/taxi-demo/settings/general`);
  await expect(page).toHaveTitle('General settings · Spice Portal');
  await expectAccessible(page, 'General settings with the name form and the danger zone');

  const details = page.getByRole('region', { name: 'Name and description' });
  await details.getByLabel('App name').fill('Taxi-Trips');
  await details.getByLabel('Description').fill('Trips of 2026');
  await details.getByRole('button', { name: 'Save changes' }).click();
  await expect(page).toHaveURL(`${portalURL}/${account.org}/taxi-trips/settings/general`);
  await expect(page.getByRole('status').filter({ hasText: 'Renamed to taxi-trips' })).toBeVisible();
  await expect(details.getByLabel('App name')).toHaveValue('taxi-trips');
  await expect(details.getByLabel('Description')).toHaveValue('Trips of 2026');
  // The old URL is gone.
  expect((await page.request.get(`/${account.org}/taxi-demo/settings/general`)).status()).toBe(404);
  await page.goto(`/${account.org}/taxi-trips/settings/general`);

  const key1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);
  expect((await query(key1)).status).toBe(200);
  expect((await query(key2)).status).toBe(200);

  const open = page.getByRole('button', { name: 'Delete app' });
  await open.click();
  const dialog = page.getByRole('alertdialog', { name: 'Delete taxi-trips?' });
  await expect(dialog).toContainText('both of its API keys');
  const confirm = dialog.getByRole('button', { name: 'Delete app' });
  const typed = dialog.getByLabel('Type taxi-trips to confirm');
  await expect(typed).toBeFocused();
  await expect(confirm).toBeDisabled();
  await typed.fill('taxi-trip');
  await expect(confirm).toBeDisabled();
  await expectAccessible(page, 'the delete app dialog');
  // Cancel changes nothing.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(open).toBeFocused();
  expect((await query(key1)).status).toBe(200);

  await open.click();
  await typed.fill('taxi-trips');
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(page).toHaveURL(`${portalURL}/${account.org}`);
  await expect(page.getByRole('status').filter({ hasText: 'Deleted taxi-trips' })).toBeVisible();
  await expect(page.getByText('No apps yet')).toBeVisible();
  for (const key of [key1, key2]) {
    const refused = await query(key);
    expect([refused.status, await refused.text()]).toEqual([401, 'Unauthorized']);
  }

  await page.goto(`/${account.org}/activity`);
  const table = page.getByRole('table');
  await expect(table).toContainText('Renamed app taxi-demo to taxi-trips');
  await expect(table).toContainText('Edited the description of');
  await expect(table).toContainText('Deleted app taxi-trips and both of its API keys');
});

test('a member sees the name and description read-only, and no Delete, with the reasons', async ({ page, browser }) => {
  const ownerPage = await browser.newPage();
  const owner = await signUp(ownerPage, 'Owen');
  await createApp(ownerPage, owner.org, 'shared-app');
  const member = await signUp(page, 'Mona');
  await addMember(ownerPage, owner.org, member, 'member');
  await ownerPage.close();

  await page.goto(`/${owner.org}/shared-app/settings/general`);
  const details = page.getByRole('region', { name: 'Name and description' });
  await expect(details).toContainText('shared-app');
  await expect(details).toContainText('Taxi trips for the demo');
  await expect(details.getByRole('textbox')).toHaveCount(0);
  await expect(details).toContainText('Only owners and admins can rename an app or edit its description.');
  await expect(page.getByRole('button', { name: 'Delete app' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Danger zone' })).toContainText('Only owners and admins can delete an app.');
  await expectAccessible(page, 'General settings as a member');
});

test('404 pages are titled as such, and the favicon is served to anyone', async ({ page, account }) => {
  for (const path of [`/${account.org}/no-such-app/settings/general`, `/${account.org}/no-such-app`, '/no-such-org-here/members', '/no-such-org-here']) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page, path).toHaveTitle('Page not found · Spice Portal');
  }
  await page.goto(`/${account.org}/members`);
  await expect(page).toHaveTitle('Members · Spice Portal');

  const favicon = await fetch(`${portalURL}/favicon.ico`, { redirect: 'manual' });
  expect(favicon.status).toBe(200);
  expect(favicon.headers.get('content-type')).toMatch(/image/);
  const icon = await fetch(`${portalURL}/icon.svg`, { redirect: 'manual' });
  expect([icon.status, icon.headers.get('content-type')]).toEqual([200, 'image/svg+xml']);
});
