// Step-up in the browser: on a session whose sign-in is older than the window (10 minutes, the
// servers' default; the test ages it in the database instead of waiting), a sensitive action asks
// "Confirm it's you" and then carries on where the user was, with no reload and nothing retyped.
import { expect, test, type Page } from '@playwright/test';
import { setLastAuthentication } from './database';
import { addMember, createApp, expectAccessible, openGeneral, readKey, signUp, type Account } from './helpers';

const ELEVEN_MINUTES_AGO = () => new Date(Date.now() - 11 * 60_000);
const confirmDialog = (page: Page) => page.getByRole('dialog', { name: 'Confirm it’s you' });

/** Marks the page, so that a test can tell it was never reloaded. */
async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { stepUpMarker: true }));
}
async function expectSamePage(page: Page): Promise<void> {
  expect(await page.evaluate(() => 'stepUpMarker' in window)).toBe(true);
}

async function agedSession(page: Page, name: string): Promise<Account> {
  const account = await signUp(page, name);
  await setLastAuthentication(account.email, ELEVEN_MINUTES_AGO());
  return account;
}

test('regenerate on an old session: Confirm it’s you asks for the password, then regenerates without a reload', async ({ page }) => {
  const account = await signUp(page, 'Stella');
  await createApp(page, account.org, 'step-up-demo');
  await openGeneral(page);
  const key1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);
  await setLastAuthentication(account.email, ELEVEN_MINUTES_AGO());
  await markPage(page);

  const opener = page.getByRole('button', { name: 'Regenerate API Key 2' });
  const regenerate = page.getByRole('alertdialog', { name: 'Regenerate API Key 2?' });
  await opener.click();
  await regenerate.getByRole('button', { name: 'Regenerate' }).click();
  const dialog = confirmDialog(page);
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('This action needs a recent sign-in.');
  const password = dialog.getByLabel('Password');
  await expect(password).toBeFocused();
  await expectAccessible(page, 'the Confirm it’s you dialog');

  // Keyboard: Tab stays in the dialog.
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(dialog.getByRole('button', { name: 'Confirm' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(password).toBeFocused();

  // A wrong password: an error in the dialog, which stays open; nothing is regenerated.
  await password.fill('not my password');
  await page.keyboard.press('Enter');
  await expect(dialog.getByText('That password is not right.')).toBeVisible();
  await expect(password).toHaveAttribute('aria-invalid', 'true');
  await expect(password).toBeFocused();
  await expectAccessible(page, 'the Confirm it’s you dialog with an error');
  // Escape gives up: both dialogs close, the key is the same, and focus is back on the opener.
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: 'Confirm it’s you to continue' })).toBeVisible();
  await expect(regenerate).toBeHidden();
  await expect(opener).toBeFocused();
  expect(await readKey(page, 2)).toBe(key2);

  // The right password: the regenerate dialog goes on and regenerates, on the same page.
  await opener.click();
  await regenerate.getByRole('button', { name: 'Regenerate' }).click();
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText('That password is not right.')).toBeHidden();
  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 2 regenerated' })).toBeVisible();
  await expect(dialog).toBeHidden();
  await expect(regenerate).toBeHidden();
  // The new key is shown once, its Copy button focused, as without the step-up.
  await expect(page.getByRole('button', { name: 'Copy API Key 2' })).toBeFocused();
  await expectSamePage(page);
  const newKey2 = await readKey(page, 2);
  expect(newKey2).not.toBe(key2);
  expect(await readKey(page, 1)).toBe(key1);

  // Confirmed a moment ago: the next regeneration does not ask again.
  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  await page.getByRole('alertdialog', { name: 'Regenerate API Key 1?' }).getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
  await expect(dialog).toBeHidden();
  expect(await readKey(page, 1)).not.toBe(key1);
});

test('a new token on an old session: after the password, the form goes on with what was typed', async ({ page }) => {
  const account = await agedSession(page, 'Tomas');
  await page.goto('/settings/tokens');
  await markPage(page);
  await page.getByLabel('Name').fill('ci-after-step-up');
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByLabel('Expiration').selectOption('90');
  await page.getByRole('button', { name: 'Create token' }).click();
  const dialog = confirmDialog(page);
  await dialog.getByLabel('Password').fill(account.password);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Token ci-after-step-up created' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'New token' }).getByLabel('New token')).toHaveValue(/^spt_/);
  await expectSamePage(page);
  const row = page.getByRole('row').filter({ hasText: 'ci-after-step-up' });
  await expect(row).toContainText('apps:write');
});

test('members and apps on an old session: a role change, a removal and a deletion each ask first', async ({ page, browser }) => {
  const other = await signUp(await browser.newPage(), 'Bruno');
  const account = await signUp(page, 'Mara');
  await addMember(page, account.org, other, 'member');
  await createApp(page, account.org, 'doomed-app');
  await setLastAuthentication(account.email, ELEVEN_MINUTES_AGO());
  const dialog = confirmDialog(page);

  await page.goto(`/${account.org}/members`);
  await page.getByLabel(`Role of ${other.name}`).selectOption('admin');
  await page.getByRole('button', { name: `Save role of ${other.name}` }).click();
  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${other.name} is now admin` })).toBeVisible();
  await expect(page.getByRole('button', { name: `Save role of ${other.name}` })).toBeFocused();

  // Confirmed once: the removal goes ahead without asking, until the session is old again.
  await setLastAuthentication(account.email, ELEVEN_MINUTES_AGO());
  await page.getByRole('button', { name: `Remove ${other.name}` }).click();
  await page
    .getByRole('alertdialog', { name: `Remove ${other.name}?` })
    .getByRole('button', { name: 'Remove' })
    .click();
  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: `${other.name} removed` })).toBeVisible();
  await expect(page.getByRole('cell', { name: other.email })).toBeHidden();

  await setLastAuthentication(account.email, ELEVEN_MINUTES_AGO());
  await page.goto(`/${account.org}/doomed-app/settings/general`);
  await page.getByRole('button', { name: 'Delete app' }).click();
  const deletion = page.getByRole('alertdialog', { name: 'Delete doomed-app?' });
  await deletion.getByLabel('Type doomed-app to confirm').fill('doomed-app');
  await deletion.getByRole('button', { name: 'Delete app' }).click();
  await dialog.getByLabel('Password').fill(account.password);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted doomed-app' })).toBeVisible();
  await expect(page).toHaveURL(new RegExp(`/${account.org}$`));
});
