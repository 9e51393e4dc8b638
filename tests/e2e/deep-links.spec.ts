// A link opened while signed out leads through sign-in (or sign-up) back to the page it named,
// on this site only.
import { expect, test } from '@playwright/test';
import { createApp, signUp } from './helpers';

test('a deep link opened while signed out comes back after sign-in', async ({ page, browser }) => {
  const owner = await signUp(page, 'Dee');
  await createApp(page, owner.org, 'deep-demo');

  const context = await browser.newContext();
  const visitor = await context.newPage();
  await visitor.goto(`/${owner.org}/deep-demo/settings/general`);
  await expect(visitor).toHaveURL(/\/login\?callbackUrl=/);
  await visitor.getByLabel('Email').fill(owner.email);
  await visitor.getByLabel('Password').fill(owner.password);
  await visitor.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(visitor).toHaveURL(new RegExp(`/${owner.org}/deep-demo/settings/general$`));
  await expect(visitor.getByRole('heading', { name: 'General' })).toBeVisible();
  await context.close();
});

test('a deep link survives signing up instead, and another site is never a destination', async ({ browser }) => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto('/settings/tokens');
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fsettings%2Ftokens$/);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/signup\?callbackUrl=%2Fsettings%2Ftokens$/);
  await page.getByLabel('Name').fill('Deb');
  await page.getByLabel('Email').fill(`deb-${process.pid}-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery staple');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/settings\/tokens$/);
  await expect(page.getByRole('heading', { name: 'Personal access tokens', level: 1 })).toBeVisible();
  await context.close();

  const other = await browser.newContext();
  const visitor = await other.newPage();
  const account = await signUp(visitor, 'Dex');
  await visitor.getByRole('button', { name: 'User menu for Dex' }).click();
  await visitor.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(visitor).toHaveURL(/\/login/);
  await visitor.goto('/login?callbackUrl=%2F%2Fevil.example%2Fsteal');
  await visitor.getByLabel('Email').fill(account.email);
  await visitor.getByLabel('Password').fill(account.password);
  await visitor.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(visitor).toHaveURL(new RegExp(`/${account.org}$`));
  await other.close();
});
