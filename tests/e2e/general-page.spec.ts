// Settings → General as a user relies on it: every way to copy gives the real, current key; a
// page left open notices a rotation made elsewhere; the dialog shows whether a key is in use;
// the Connect panel copies commands that run as pasted.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { portalURL, runtimeURL } from './servers';
import { addMember, createApp, expectAccessible, openGeneral, readKey, signUp, type Account } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const clipboard = (page: Page) => page.evaluate(() => navigator.clipboard.readText());

function query(key: string, sql: string) {
  return fetch(`${runtimeURL}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql });
}

/** A personal access token made through the portal's own page. */
async function createToken(page: Page, account: Account, name: string): Promise<string> {
  await page.goto('/settings/tokens');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Organization').selectOption(account.org);
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByLabel('Expiration').selectOption('7');
  await page.getByRole('button', { name: 'Create token' }).click();
  return page.getByRole('region', { name: 'New token' }).getByLabel('New token').inputValue();
}

async function appIdOf(page: Page, org: string, app: string): Promise<number> {
  await page.goto(`/${org}/${app}`);
  const text = await page.getByText(/App ID \d+/).textContent();
  return Number(/App ID (\d+)/.exec(text ?? '')![1]);
}

test('copy by button, by clicking the field and by Ctrl+C: each gives the real key', async ({ page, account }) => {
  await createApp(page, account.org, 'copy-ways');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);

  await page.getByRole('button', { name: 'Copy API Key 2' }).click();
  await expect(page.getByText('Copied', { exact: true })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 2 copied' })).toHaveCount(1);
  await expect.poll(() => clipboard(page)).toBe(key2);
  // "Copied" goes away after two seconds.
  await expect(page.getByText('Copied', { exact: true })).toBeHidden({ timeout: 5000 });

  // Copying twice keeps one toast for the key.
  await page.getByLabel('API Key 1', { exact: true }).click();
  await page.getByLabel('API Key 1', { exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 copied' })).toHaveCount(1);
  await expect.poll(() => clipboard(page)).toBe(key1);

  // Ctrl+C in the masked field: the real key, never the bullets.
  await page.evaluate(() => navigator.clipboard.writeText('something else'));
  const field2 = page.getByLabel('API Key 2', { exact: true });
  await expect(field2).toHaveValue(/•/);
  await field2.focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('ControlOrMeta+c');
  await expect.poll(() => clipboard(page)).toBe(key2);
});

test('a copy that finishes late never overwrites a later one', async ({ page, account }) => {
  await createApp(page, account.org, 'late-copy');
  const appId = await appIdOf(page, account.org, 'late-copy');
  const token = await createToken(page, account, 'late-copy-rotate');
  await page.goto(`/${account.org}/late-copy/settings/general`);
  const key2 = await readKey(page, 2);
  // Every text the page hands to the Clipboard API, at the moment it does.
  await page.evaluate(() => {
    const writes: string[] = [];
    Object.assign(window, { clipboardWrites: writes });
    const writeText = navigator.clipboard.writeText.bind(navigator.clipboard);
    navigator.clipboard.writeText = (text: string) => (writes.push(text), writeText(text));
  });
  // Hold the key checks with the server, so that the click on API Key 1 is still waiting for its
  // check when API Key 2 is copied with Ctrl+C.
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*', async (route) => {
    if (route.request().method() === 'POST' && route.request().headers()['next-action']) await released;
    await route.continue();
  });
  await page.getByLabel('API Key 1', { exact: true }).click();
  const field2 = page.getByLabel('API Key 2', { exact: true });
  await field2.focus();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('ControlOrMeta+c');
  await expect.poll(() => clipboard(page)).toBe(key2);
  // Meanwhile API Key 1 is regenerated elsewhere, so that the click's check, once answered, shows.
  const rotation = await fetch(`${portalURL}/v1/apps/${appId}/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_number: 1 }),
  });
  expect(rotation.status).toBe(200);
  release();
  // The click's check has answered and the page has handled it: it says that API Key 1 changed.
  // Had the click's copy gone on, it would have handed the key to the Clipboard API by then.
  await expect(page.getByRole('status').filter({ hasText: /^API Key 1 was regenerated/ })).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { clipboardWrites: string[] }).clipboardWrites)).toEqual([]);
  expect(await clipboard(page)).toBe(key2);
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 copied' })).toHaveCount(0);
});

test('a page left open notices a key regenerated through the API, shows who did it, and copies the current key', async ({ page, account }) => {
  await createApp(page, account.org, 'stale-page');
  const appId = await appIdOf(page, account.org, 'stale-page');
  const token = await createToken(page, account, 'stale-page-rotate');
  await page.goto(`/${account.org}/stale-page/settings/general`);
  const before = await readKey(page, 2);

  const rotation = await fetch(`${portalURL}/v1/apps/${appId}/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_number: 2 }),
  });
  expect(rotation.status).toBe(200);
  const current = ((await rotation.json()) as { api_key_2: string }).api_key_2;
  expect(current).not.toBe(before);

  await page.getByRole('button', { name: 'Copy API Key 2' }).click();
  const regenerated = new RegExp(`API Key 2 was regenerated (just now|\\d+ seconds ago) by ${account.name} via token stale-page-rotate`);
  await expect(page.getByRole('status').filter({ hasText: regenerated })).toBeVisible();
  expect(await clipboard(page)).toBe(current);
  expect(await readKey(page, 2)).toBe(current);
  expect((await query(current, 'SELECT 1 AS one')).status).toBe(200);
});

test('the regenerate dialog names the app and warns while a key is in use, not when it is idle', async ({ page, account }) => {
  await createApp(page, account.org, 'warn-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  expect((await query(key1, 'SELECT COUNT(*) AS n FROM taxi_trips')).status).toBe(200);
  await page.reload();

  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Regenerate API Key 1?' });
  await expect(dialog).toContainText('warn-demo');
  await expect(dialog.getByRole('alert')).toHaveText(
    /API Key 1 was used (just now|\d+ seconds ago)\. Clients still using it will lose access\. Move them to API Key 2 first\./,
  );
  await expectAccessible(page, 'the regenerate dialog with a warning');
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  await page.getByRole('button', { name: 'Regenerate API Key 2' }).click();
  const idle = page.getByRole('alertdialog', { name: 'Regenerate API Key 2?' });
  await expect(idle).toContainText('API Key 2 has not been used in the last 24 hours.');
  await expect(idle.getByRole('alert')).toHaveCount(0);
  await idle.getByRole('button', { name: 'Regenerate' }).click();
  // Shown once, unmasked, with a note; Copy is focused.
  await expect(page.getByLabel('API Key 2', { exact: true })).toHaveValue(/^spk_[0-9A-Za-z]{36}$/);
  await expect(page.getByText('This is the new API Key 2')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Copy API Key 2' })).toBeFocused();
});

test('on a 390 px phone each key has its own full-width row, its buttons below, and its last four characters', async ({ page, account }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await createApp(page, account.org, 'phone-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const field = page.getByLabel('API Key 1', { exact: true });
  const box = (await field.boundingBox())!;
  const section = (await page.getByRole('region', { name: 'General' }).boundingBox())!;
  const copy = (await page.getByRole('button', { name: 'Copy API Key 1' }).boundingBox())!;
  // The field takes the section's whole inner width (its padding aside).
  expect(box.width).toBeGreaterThanOrEqual(section.width - 2 * 16 - 2);
  expect(copy.y).toBeGreaterThan(box.y + box.height - 1);
  await expect(field).toHaveValue(new RegExp(`${key1.slice(-4)}$`));
  // The whole value fits, masked or shown: the last four characters are never cut off.
  const fits = () => field.evaluate((input: HTMLInputElement) => input.scrollWidth <= input.clientWidth);
  expect(await fits()).toBe(true);
  await page.getByRole('button', { name: 'Show API Key 1' }).click();
  await expect(field).toHaveValue(key1);
  expect(await fits()).toBe(true);
  await page.getByRole('button', { name: 'Hide API Key 1' }).click();
  await expectAccessible(page, 'Settings → General on a phone');
});

test('the copied curl command runs in a shell as pasted and returns rows', async ({ page, account }) => {
  await createApp(page, account.org, 'curl-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const connect = page.getByRole('region', { name: 'Connect' });
  await expect(connect).not.toContainText(key1);

  await connect.getByRole('button', { name: 'Copy curl command' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'curl command copied' })).toBeVisible();
  const snippet = await clipboard(page);
  expect(snippet).toContain(`export SPICE_API_KEY=${key1}`);
  const output = execFileSync('bash', ['-c', snippet], { encoding: 'utf8', timeout: 20_000, stdio: ['ignore', 'pipe', 'ignore'] });
  const rows = JSON.parse(output) as { passenger_count: number; trips: number }[];
  expect(rows.reduce((sum, row) => sum + row.trips, 0)).toBe(10_000);

  await connect.getByRole('button', { name: 'Copy endpoint' }).click();
  await expect.poll(() => clipboard(page)).toBe(runtimeURL);
  await connect.getByRole('button', { name: 'Copy SDK example' }).click();
  await expect.poll(() => clipboard(page)).toContain(`'${key1}'`);
});

test('the copied Flight SDK example runs as pasted, over TLS with the runtime certificate', async ({ page, account }) => {
  await createApp(page, account.org, 'flight-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const connect = page.getByRole('region', { name: 'Connect' });
  await expect(connect.getByText(/^grpc\+tls:\/\/localhost:\d+$/)).toBeVisible();
  await connect.getByRole('button', { name: 'Copy Flight SDK example' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Flight SDK example copied' })).toBeVisible();
  const snippet = await clipboard(page);
  expect(snippet).toContain('flightOnly: true');
  expect(snippet).toContain(`'${key1}'`);
  // Saved as a script in the project (where @spiceai/spice is installed) and run with node.
  fs.mkdirSync('.test-data', { recursive: true });
  const file = path.resolve('.test-data', `flight-snippet-${process.pid}-${Date.now()}.mjs`);
  fs.writeFileSync(file, snippet);
  try {
    const output = execFileSync(process.execPath, [file], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output).toContain('passenger_count');
    expect(output).toContain('trips');
  } finally {
    fs.rmSync(file, { force: true });
  }
});

test('Overview runs a query with the app key and shows rows, or the error for bad SQL', async ({ page, account }) => {
  await createApp(page, account.org, 'overview-demo');
  await expect(page.getByLabel('SQL query')).toHaveValue(/FROM taxi_trips/);
  await page.getByRole('button', { name: 'Run query' }).click();
  const result = page.getByRole('region', { name: 'Query result' });
  await expect(result.getByRole('columnheader', { name: 'passenger_count' })).toBeVisible();
  await expect(result.getByRole('columnheader', { name: 'trips' })).toBeVisible();
  await expect(result.getByRole('row')).not.toHaveCount(1);
  await expectAccessible(page, 'the overview with a result');

  await page.getByLabel('SQL query').fill('SELECT nope FROM taxi_trips');
  await page.getByRole('button', { name: 'Run query' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'nope' })).toContainText('Referenced column "nope" not found');

  await page.getByRole('button', { name: 'Copy API Key 1' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 copied' })).toBeVisible();
  await openGeneral(page);
  expect(await clipboard(page)).toBe(await readKey(page, 1));
});

test('Activity lists each kind of change with who and from where, filters by app, and is a 404 to outsiders', async ({ page, browser }) => {
  const owner = await signUp(page, 'Ada');
  const otherPage = await browser.newPage();
  const bob = await signUp(otherPage, 'Bob');

  await createApp(page, owner.org, 'audit-one');
  await createApp(page, owner.org, 'audit-two');
  await openGeneral(page);
  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
  await page.getByRole('link', { name: 'View activity for this app' }).click();
  await expect(page.getByRole('heading', { name: 'Activity' })).toBeVisible();
  await expect(page.getByLabel('App')).toHaveValue('audit-two');
  await expect(page.getByRole('row')).toHaveCount(3); // header, regenerated, created
  await expect(page.getByRole('row').nth(1)).toContainText('Regenerated API Key 1 of audit-two');

  await addMember(page, owner.org, bob, 'member');
  await createToken(page, owner, 'audit-token');

  await page.goto(`/${owner.org}`);
  await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Activity' }).click();
  const rows = page.getByRole('row');
  await expect(rows.nth(1)).toContainText('Created personal access token audit-token');
  await expect(rows.nth(2)).toContainText('Accepted the invitation and joined as member');
  await expect(rows.nth(2)).toContainText('Bob');
  await expect(rows.nth(3)).toContainText(`Invited ${bob.email} as member`);
  await expect(page.getByRole('table')).toContainText('Created app audit-one');
  await expect(rows.nth(1)).toContainText('Ada');
  await expect(rows.nth(1)).toContainText('127.0.0.1');
  await expect(rows.nth(1).locator('time')).toHaveAttribute('title', /UTC$/);
  await expectAccessible(page, 'Activity');

  await page.getByLabel('App').selectOption('audit-one');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page.getByRole('row')).toHaveCount(2);

  // Bob is a member now: he sees it. A stranger gets a 404.
  await otherPage.goto(`/${owner.org}/activity`);
  await expect(otherPage.getByRole('heading', { name: 'Activity' })).toBeVisible();
  const strangerPage = await browser.newPage();
  await signUp(strangerPage, 'Eve');
  const response = await strangerPage.goto(`/${owner.org}/activity`);
  expect(response?.status()).toBe(404);
  await otherPage.close();
  await strangerPage.close();
});

test('every signed-out page passes axe in light, dark and at 390 px', async ({ page }) => {
  for (const path of ['/', '/login', '/signup']) {
    await page.goto(path);
    await expectAccessible(page, path);
  }
});

test('every signed-in page passes axe in light, dark and at 390 px', async ({ page, account }) => {
  test.setTimeout(180_000);
  await createApp(page, account.org, 'axe-demo');
  for (const path of [
    `/${account.org}`,
    `/${account.org}/new`,
    `/${account.org}/members`,
    `/${account.org}/activity`,
    `/${account.org}/axe-demo`,
    `/${account.org}/axe-demo/settings/general`,
    '/settings/tokens',
    `/${account.org}/no-such-app`,
  ]) {
    await page.goto(path);
    await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
    await expectAccessible(page, path);
  }
});

test('under each key: when it was last used and how many requests it opened in the last 24 hours', async ({ page, account }) => {
  await createApp(page, account.org, 'usage-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  await expect(page.getByText('Never used')).toHaveCount(2);
  for (let i = 0; i < 3; i++) expect((await query(key1, 'SELECT 1 AS one')).status).toBe(200);
  // The runtime writes the first use at once and the rest in a batch (every 2 s in these tests).
  await expect
    .poll(
      async () => {
        await page.reload();
        return page.locator('#api-key-1-usage').textContent();
      },
      { timeout: 20_000 },
    )
    .toMatch(/^Last used (just now|\d+ seconds ago) · 3 requests in the last 24 hours$/);
  await expect(page.locator('#api-key-2-usage')).toHaveText('Never used');
});
