// Account → Sessions: every browser signed in as the user, this one marked; Sign out one (that
// browser is sent to sign in, told why); Sign out everywhere else behind a confirmation.
import { expect, test, type Browser } from '@playwright/test';
import { expectAccessible, signIn, signUp, type Account } from './helpers';

const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0';

/** Another browser, told apart by its User-Agent, signed in as the account. */
async function signedInElsewhere(browser: Browser, account: Account, userAgent: string) {
  const context = await browser.newContext({ userAgent });
  const page = await context.newPage();
  await signIn(page, account);
  return { context, page };
}

test('the Sessions page lists both browsers, this one marked; Sign out the other sends it to sign in, told why', async ({ page, browser }) => {
  const account = await signUp(page, 'Sam');
  const phone = await signedInElsewhere(browser, account, SAFARI_IPHONE);

  await page.getByRole('button', { name: 'User menu for Sam' }).click();
  await page.getByRole('link', { name: 'Sessions' }).click();
  await expect(page.getByRole('heading', { name: 'Sessions', level: 1 })).toBeVisible();
  const table = page.getByRole('region', { name: 'Sessions table' });
  await expect(table.getByRole('row')).toHaveCount(3);
  const here = table.getByRole('row').filter({ hasText: 'This session' });
  await expect(here).toContainText('Chrome');
  await expect(here).toContainText('Linux');
  await expect(here).toContainText('127.0.0.1');
  await expect(here.getByRole('button')).toHaveCount(0);
  const other = table.getByRole('row').filter({ hasText: 'Safari 17' });
  await expect(other).toContainText('iOS 17.1');
  await expect(other).not.toContainText('This session');
  await expectAccessible(page, 'Sessions');

  await other.getByRole('button', { name: 'Sign out Safari 17 on iOS 17.1, 127.0.0.1' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Signed out Safari 17 on iOS 17.1, 127.0.0.1' })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(page.getByRole('region', { name: 'Account activity table' })).toContainText('Signed out a session (Safari 17 on iOS 17.1, 127.0.0.1)');

  // The phone's next page is the sign-in page, with the reason; this browser stays signed in.
  await phone.page.reload();
  await expect(phone.page).toHaveURL(/\/login\?reason=signed-out-remotely/);
  await expect(
    phone.page.getByRole('status').filter({ hasText: 'You were signed out because this session was ended from Account → Sessions in another browser.' }),
  ).toBeVisible();
  await expectAccessible(phone.page, 'sign-in with the reason');
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sessions', level: 1 })).toBeVisible();
  await phone.context.close();
});

test('Sign out everywhere else asks first, then ends every other session and keeps this one', async ({ page, browser }) => {
  const account = await signUp(page, 'Tim');
  const phone = await signedInElsewhere(browser, account, SAFARI_IPHONE);
  const laptop = await signedInElsewhere(browser, account, FIREFOX_WINDOWS);

  await page.goto('/settings/sessions');
  const table = page.getByRole('region', { name: 'Sessions table' });
  await expect(table.getByRole('row')).toHaveCount(4);
  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Sign out everywhere else?' });
  await expect(dialog).toContainText('This signs out 2 other sessions.');
  await expectAccessible(page, 'the Sign out everywhere else dialog');

  // Cancel changes nothing.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  await laptop.page.reload();
  await expect(laptop.page.getByRole('heading', { name: 'Apps' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await dialog.getByRole('button', { name: 'Sign out everywhere else' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Signed out 2 other sessions' })).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table).toContainText('This session');
  await expect(page.getByRole('button', { name: 'Sign out everywhere else' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Account activity table' })).toContainText('Signed out everywhere else (2 sessions)');

  for (const other of [phone, laptop]) {
    await other.page.reload();
    await expect(other.page).toHaveURL(/\/login\?reason=signed-out-remotely/);
    await expect(other.page.getByRole('status').filter({ hasText: 'You were signed out because' })).toBeVisible();
    await other.context.close();
  }
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Sessions', level: 1 })).toBeVisible();
});
