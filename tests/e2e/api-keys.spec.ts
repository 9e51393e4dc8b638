import { expect, test } from './fixtures';
import { createApp, expectAccessible, openGeneral, readKey, signUp } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('a new user signs up, creates an app and finds its two keys under Settings → General', async ({ page }) => {
  const account = await signUp(page, 'Alice');
  await expectAccessible(page, 'the apps list (empty)');
  await createApp(page, account.org, 'taxi-demo');
  await openGeneral(page);
  await expect(page).toHaveURL(new RegExp(`/${account.org}/taxi-demo/settings/general$`));

  const field1 = page.getByLabel('API Key 1', { exact: true });
  const field2 = page.getByLabel('API Key 2', { exact: true });
  // Masked by default: prefix and last four characters.
  await expect(field1).toHaveValue(/^spk_•+[0-9A-Za-z]{4}$/);
  await expect(field2).toHaveValue(/^spk_•+[0-9A-Za-z]{4}$/);
  await expect(page.getByText(/Created (just now|\d+ seconds ago) by Alice/).first()).toBeVisible();
  await expect(page.getByText('move your applications to the other key first, then regenerate')).toBeVisible();
  await expectAccessible(page, 'Settings → General');

  await page.goto(`/${account.org}`);
  await expect(page.getByRole('link', { name: /taxi-demo/ })).toBeVisible();
  await expectAccessible(page, 'the apps list');
});

test('copy, show and hide a key', async ({ page, account }) => {
  await createApp(page, account.org, 'copy-demo');
  await openGeneral(page);
  const field = page.getByLabel('API Key 1', { exact: true });
  const masked = await field.inputValue();

  await page.getByRole('button', { name: 'Show API Key 1' }).click();
  const key = await field.inputValue();
  expect(key).toMatch(/^spk_[0-9A-Za-z]{36}$/);
  expect(masked.endsWith(key.slice(-4))).toBe(true);
  await page.getByRole('button', { name: 'Hide API Key 1' }).click();
  await expect(field).toHaveValue(masked);

  // Clicking the masked field copies the whole key.
  await field.click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);

  // Enter on the other field copies that one.
  const key2 = await readKey(page, 2);
  await page.getByLabel('API Key 2', { exact: true }).focus();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'API Key 2 copied' })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key2);
});

test('regenerate API Key 2: Cancel changes nothing; Regenerate replaces it and keeps key 1', async ({ page, account }) => {
  await createApp(page, account.org, 'rotate-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);

  const opener = page.getByRole('button', { name: 'Regenerate API Key 2' });
  await opener.click();
  const dialog = page.getByRole('alertdialog', { name: 'Regenerate API Key 2?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('stops working immediately');
  await expectAccessible(page, 'the regenerate dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  expect(await readKey(page, 2)).toBe(key2);

  await opener.click();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(opener).toBeFocused();
  expect(await readKey(page, 2)).toBe(key2);

  await opener.click();
  await dialog.getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 2 regenerated' })).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(page.getByText(new RegExp(`Regenerated (just now|\\d+ seconds ago) by ${account.name}`))).toBeVisible();
  const newKey2 = await readKey(page, 2);
  expect(newKey2).not.toBe(key2);
  expect(newKey2).toMatch(/^spk_[0-9A-Za-z]{36}$/);
  expect(await readKey(page, 1)).toBe(key1);

  await page.reload();
  expect(await readKey(page, 2)).toBe(newKey2);
  expect(await readKey(page, 1)).toBe(key1);
});

test('regenerate with the keyboard alone; focus stays in the dialog', async ({ page, account }) => {
  await createApp(page, account.org, 'keyboard-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);

  const opener = page.getByRole('button', { name: 'Regenerate API Key 2' });
  await opener.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('alertdialog', { name: 'Regenerate API Key 2?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  // Tab cycles inside the dialog, both ways.
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Regenerate' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(dialog.getByRole('button', { name: 'Regenerate' })).toBeFocused();
  await page.keyboard.press('Enter');

  await expect(page.getByRole('status').filter({ hasText: 'API Key 2 regenerated' })).toBeVisible();
  await expect(dialog).toBeHidden();
  // The new key is shown once, with its Copy button focused.
  await expect(page.getByRole('button', { name: 'Copy API Key 2' })).toBeFocused();
  expect(await readKey(page, 2)).not.toBe(key2);
  expect(await readKey(page, 1)).toBe(key1);
});
