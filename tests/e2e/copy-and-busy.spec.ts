import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { createApp, openGeneral, readKey, type Account } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

/** An app of the test's own, on its General page. */
async function setUp(page: Page, account: Account, app: string) {
  await createApp(page, account.org, app);
  await openGeneral(page);
}

test('without the Clipboard API, copying falls back to execCommand and still copies the key', async ({ page, context, account }) => {
  await setUp(page, account, 'fallback-copy');
  const key = await readKey(page, 1);
  // As on plain HTTP on a host other than localhost: no navigator.clipboard.
  await page.evaluate(() => Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true }));
  await page.getByLabel('API Key 1', { exact: true }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 copied' })).toBeVisible();
  const reader = await context.newPage();
  await reader.goto('/login');
  expect(await reader.evaluate(() => navigator.clipboard.readText())).toBe(key);
  await reader.close();
});

test('when every way to copy fails, the key is shown selected and a toast says to copy by hand', async ({ page, account }) => {
  await setUp(page, account, 'failed-copy');
  const key = await readKey(page, 2);
  await page.evaluate(() => {
    Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
    document.execCommand = () => false;
  });
  const field = page.getByLabel('API Key 2', { exact: true });
  await field.click();
  await expect(page.getByRole('status').filter({ hasText: 'Could not copy API Key 2' })).toBeVisible();
  await expect(field).toHaveValue(key);
  expect(await field.evaluate((input: HTMLInputElement) => input.value.slice(input.selectionStart ?? 0, input.selectionEnd ?? 0))).toBe(key);
});

test('while regenerating, the button shows it is busy and cannot be pressed twice', async ({ page, account }) => {
  await setUp(page, account, 'busy-regenerate');
  const before = await readKey(page, 1);
  // Opening the dialog reads the key's latest use (a server action): let that answer before counting.
  const usageRead = page.waitForResponse((response) => response.request().method() === 'POST' && !!response.request().headers()['next-action']);
  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Regenerate API Key 1?' });
  await expect(dialog).toBeVisible();
  await usageRead;
  // Hold the regeneration's request until the busy state has been seen and pressed again.
  let actionCalls = 0;
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/*', async (route) => {
    if (route.request().method() === 'POST' && route.request().headers()['next-action']) {
      actionCalls += 1;
      await released;
    }
    await route.continue();
  });
  await dialog.getByRole('button', { name: 'Regenerate' }).click();
  const busy = dialog.getByRole('button', { name: 'Regenerating…' });
  await expect(busy).toBeDisabled();
  await expect(busy).toHaveAttribute('aria-busy', 'true');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeDisabled();
  await busy.click({ force: true });
  await page.keyboard.press('Escape');
  await expect(dialog).toBeVisible();
  release();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
  expect(actionCalls).toBe(1);
  expect(await readKey(page, 1)).not.toBe(before);
});
