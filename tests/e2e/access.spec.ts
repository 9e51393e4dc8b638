import { expect, test } from '@playwright/test';
import { addMember, createApp, expectAccessible, openGeneral, readKey, signIn, signUp } from './helpers';

test('sign-in and sign-up pages are accessible; the first screen leads to sign-up', async ({ page }) => {
  await page.goto('/');
  await page.getByRole('link', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Create your account' })).toBeVisible();
  await expectAccessible(page, 'sign-up');
  await page.goto('/login');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in with GitHub' })).toHaveCount(0);
  await expectAccessible(page, 'sign-in');
});

test('a duplicate email gets a clear error', async ({ page, browser }) => {
  const account = await signUp(page, 'Erin');
  const other = await browser.newPage();
  await other.goto('/signup');
  await other.getByLabel('Name').fill('Erin Again');
  await other.getByLabel('Email').fill(account.email);
  await other.getByLabel('Password').fill('another password');
  await other.getByRole('button', { name: 'Create account' }).click();
  await expect(other.locator('form').getByRole('alert')).toHaveText('An account with this email already exists. Sign in instead.');
  await other.close();
});

test('sign out from the user menu, then sign in again', async ({ page }) => {
  const account = await signUp(page, 'Fay');
  await page.getByRole('button', { name: 'User menu for Fay' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.goto(`/${account.org}`);
  await expect(page).toHaveURL(/\/login(\?callbackUrl=[^&]*)?$/);
  await signIn(page, account);
});

test('wrong passwords get one generic message; after 10 failures this address may not try that account, and nobody else is locked out', async ({
  page,
  browser,
}) => {
  const account = await signUp(page, 'Gus');
  await page.getByRole('button', { name: 'User menu for Gus' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // Unknown email and wrong password read the same.
  await page.getByLabel('Email').fill(`nobody-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('whatever-password');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('form').getByRole('alert')).toHaveText('Invalid email or password.');

  await page.getByLabel('Email').fill(account.email);
  for (let i = 0; i < 10; i++) {
    await page.getByLabel('Password').fill(`wrong-password-${i}`);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.locator('form').getByRole('alert')).toHaveText('Invalid email or password.');
    await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
  }
  // From this address, even the right password is refused for this account now, with the wait.
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.locator('form').getByRole('alert')).toHaveText(
    /^Too many failed sign-in attempts for this account from your network\. Try again in 1[45] minutes\.$/,
  );
  await expect(page).toHaveURL(/\/login/);

  // Only that account from that address: another account signs in from here as usual (the owner,
  // from their own address, too: tests/integration/accounts-hold-up.test.ts).
  const other = await browser.newPage();
  const someoneElse = await signUp(other, 'Hal');
  await other.context().clearCookies();
  await signIn(other, someoneElse);
  await other.close();
});

test('a member can view and copy keys but not regenerate them', async ({ page, browser }) => {
  const owner = await signUp(page, 'Hana');
  await createApp(page, owner.org, 'team-app');

  const memberPage = await browser.newPage();
  const member = await signUp(memberPage, 'Ivan');

  await addMember(page, owner.org, member, 'member');
  await expectAccessible(page, 'members');

  await memberPage.goto(`/${owner.org}/team-app`);
  await openGeneral(memberPage);
  for (const slot of [1, 2] as const) {
    const button = memberPage.getByRole('button', { name: `Regenerate API Key ${slot}` });
    await expect(button).toBeDisabled();
    await expect(button).toHaveAccessibleDescription('Only owners and admins can regenerate keys.');
  }
  // The member sees the same key the owner sees.
  await page.goto(`/${owner.org}/team-app/settings/general`);
  expect(await readKey(memberPage, 1)).toBe(await readKey(page, 1));
  await memberPage.close();
});

test("another user's organization and apps are a 404", async ({ page, browser }) => {
  const owner = await signUp(page, 'Jo');
  await createApp(page, owner.org, 'private-app');

  const strangerPage = await browser.newPage();
  await signUp(strangerPage, 'Kim');
  for (const path of [
    `/${owner.org}`,
    `/${owner.org}/private-app`,
    `/${owner.org}/private-app/settings/general`,
    `/${owner.org}/members`,
    `/${owner.org}/new`,
  ]) {
    const response = await strangerPage.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(strangerPage.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  }
  await strangerPage.close();
});

test('before the page runs its code, a password is never submitted into a URL', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  for (const path of ['/login', '/signup']) {
    await page.goto(path);
    await page.getByLabel('Email').fill('someone@example.com');
    await page.getByLabel('Password').fill('secret-password-123');
    await page.getByLabel('Password').press('Enter');
    await page.waitForLoadState();
    expect(page.url()).not.toContain('secret-password-123');
  }
  await context.close();
});
