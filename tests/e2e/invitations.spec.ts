// Members join by invitation (issue 17): an owner or admin invites an address with a role and
// copies the link the Members page shows once; the invitee signs in or up with that address and
// accepts. An account that had the address sees the invitation in its own list.
import type { Browser } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { portalURL } from './servers';
import { acceptInvitation, addMember, expectAccessible, inviteMember, signUp } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

const newContext = (browser: Browser) => browser.newContext({ baseURL: portalURL });

test('an admin invites an address and copies the link; the invitee signs up from it and joins with the role', async ({ page, browser }) => {
  const owner = await signUp(page, 'Owen');
  const adminContext = await newContext(browser);
  const adminPage = await adminContext.newPage();
  const admin = await signUp(adminPage, 'Ada');
  await addMember(page, owner.org, admin, 'admin');

  const email = `newbie-${Date.now()}@example.com`;
  const link = await inviteMember(adminPage, owner.org, email, 'member');
  expect(link.startsWith(`${portalURL}/invite/spi_`)).toBe(true);
  const panel = adminPage.getByRole('region', { name: 'Invitation link' });
  await expect(panel).toContainText('It cannot be shown again');
  await panel.getByRole('button', { name: 'Copy invitation link' }).click();
  await expect(adminPage.getByRole('status').filter({ hasText: 'invitation link copied' })).toBeVisible();
  expect(await adminPage.evaluate(() => navigator.clipboard.readText())).toBe(link);

  const row = adminPage.getByRole('row', { name: new RegExp(email) });
  await expect(row).toContainText('member');
  await expect(row).toContainText('Ada');
  await expect(row).toContainText('next week'); // 7 days, in words
  await expect(row.getByRole('button', { name: `Resend the invitation to ${email}` })).toBeVisible();
  await expect(row.getByRole('button', { name: `Revoke the invitation to ${email}` })).toBeVisible();
  await expect(adminPage.getByRole('region', { name: 'Roles table' })).toContainText('See and copy API keys');
  await expectAccessible(adminPage, 'Members with a pending invitation and its link');

  // The invitee, signed out: the link leads to /invite (the token is left behind in a cookie), which sends no Referer.
  const inviteeContext = await newContext(browser);
  const invitee = await inviteeContext.newPage();
  const response = await invitee.goto(link);
  await expect(invitee).toHaveURL(`${portalURL}/invite`);
  expect(response?.headers()['referrer-policy']).toBe('no-referrer');
  expect(response?.headers()['cache-control']).toContain('no-store');
  expect((await response?.request().redirectedFrom()?.response())?.headers()['referrer-policy']).toBe('no-referrer');
  await expect(invitee.getByRole('heading', { name: `Join ${owner.org}` })).toBeVisible();
  await expect(invitee.getByRole('main')).toContainText(`Ada invited you to join ${owner.org} as member`);
  await expectAccessible(invitee, 'the invitation page, signed out');

  await invitee.getByRole('link', { name: 'Create account' }).click();
  await expect(invitee).toHaveURL(/\/signup\?callbackUrl=%2Finvite$/);
  await invitee.getByLabel('Name').fill('Nina');
  await invitee.getByLabel('Email').fill(email);
  await invitee.getByLabel('Password').fill('correct horse battery staple');
  await invitee.getByRole('button', { name: 'Create account' }).click();
  await expect(invitee).toHaveURL(`${portalURL}/invite`);
  await expect(invitee.getByRole('button', { name: `Accept the invitation to ${owner.org}` })).toBeVisible();
  await expectAccessible(invitee, 'the invitation page, signed in');
  await invitee.getByRole('button', { name: `Accept the invitation to ${owner.org}` }).click();
  await expect(invitee.getByRole('heading', { name: 'Apps' })).toBeVisible();
  expect(new URL(invitee.url()).pathname).toBe(`/${owner.org}`);

  await adminPage.goto(`/${owner.org}/members`);
  await expect(adminPage.getByRole('row', { name: /Nina/ })).toContainText(email);
  await expect(adminPage.getByLabel('Role of Nina')).toHaveValue('member');
  await expect(adminPage.getByRole('region', { name: 'Pending invitations', exact: true })).toContainText('No pending invitations.');
  // Answered: the invitation page no longer shows it; used once: the link no longer opens anything.
  await invitee.goto('/invite');
  await expect(invitee.getByRole('main')).toContainText(`No pending invitations for ${email}`);
  await expect(invitee.getByRole('heading', { name: `Join ${owner.org}` })).toHaveCount(0);
  await invitee.goto(link);
  await expect(invitee.getByRole('main')).toContainText('This invitation link is no longer valid');
  await adminContext.close();
  await inviteeContext.close();
});

test('an existing account accepts from its own list; another account is refused the link; resend and revoke end old links', async ({ page, browser }) => {
  const owner = await signUp(page, 'Olga');
  const samContext = await newContext(browser);
  const samPage = await samContext.newPage();
  const sam = await signUp(samPage, 'Sam');

  await inviteMember(page, owner.org, sam.email, 'viewer');
  await samPage.goto(`/${sam.org}`);
  await samPage.getByRole('link', { name: 'Invitations (1)' }).click();
  await expect(samPage.getByRole('heading', { name: 'Your invitations' })).toBeVisible();
  await expect(samPage.getByRole('listitem')).toContainText(`Olga invited you to join ${owner.org} as viewer`);
  await expectAccessible(samPage, 'the invitations list');
  await samPage.getByRole('button', { name: `Accept the invitation to ${owner.org}` }).click();
  await expect(samPage.getByRole('heading', { name: 'Apps' })).toBeVisible();
  expect(new URL(samPage.url()).pathname).toBe(`/${owner.org}`);
  await expect(samPage.getByRole('link', { name: /Invitations/ })).toHaveCount(0);

  // A link for another address, opened by Sam: refused with the reason, and left for its invitee.
  const other = `other-${Date.now()}@example.com`;
  const first = await inviteMember(page, owner.org, other, 'member');
  await samPage.goto(first);
  await expect(samPage.getByRole('alert').filter({ hasText: `This invitation is for another email address than ${sam.email}` })).toBeVisible();
  await expect(samPage.getByRole('button', { name: /Accept/ })).toHaveCount(0);

  // Resend: a new link; the old one stops working.
  await page.reload();
  await page.getByRole('button', { name: `Resend the invitation to ${other}` }).click();
  const resentLink = page.getByRole('textbox', { name: `Invitation link for ${other}` });
  await expect(resentLink).toHaveValue(/\/invite\/spi_/);
  const resent = await resentLink.inputValue();
  expect(resent).not.toBe(first);
  const strangerContext = await newContext(browser);
  const stranger = await strangerContext.newPage();
  await stranger.goto(first);
  await expect(stranger.getByRole('main')).toContainText('This invitation link is no longer valid');
  await stranger.goto(resent);
  await expect(stranger.getByRole('heading', { name: `Join ${owner.org}` })).toBeVisible();

  // Revoke, behind a confirmation: the link stops working at once.
  await page.getByRole('button', { name: `Revoke the invitation to ${other}` }).click();
  const dialog = page.getByRole('alertdialog', { name: `Revoke the invitation to ${other}?` });
  await expectAccessible(page, 'the revoke invitation dialog');
  await dialog.getByRole('button', { name: 'Revoke' }).click();
  await expect(page.getByRole('status').filter({ hasText: `Invitation to ${other} revoked` })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Pending invitations', exact: true })).toContainText('No pending invitations.');
  await stranger.goto(resent);
  await expect(stranger.getByRole('main')).toContainText('This invitation link is no longer valid');

  await page.goto(`/${owner.org}/activity`);
  const table = page.getByRole('table');
  await expect(table).toContainText(`Invited ${sam.email} as viewer`);
  await expect(table).toContainText('Accepted the invitation and joined as viewer');
  await expect(table).toContainText(`Sent a new invitation link to ${other}`);
  await expect(table).toContainText(`Revoked the invitation to ${other}`);
  await samContext.close();
  await strangerContext.close();
});

test('accepting from the link works for an account that exists, signing in from the invitation page', async ({ page, browser }) => {
  const owner = await signUp(page, 'Pia');
  const context = await newContext(browser);
  const other = await context.newPage();
  const rex = await signUp(other, 'Rex');
  await context.clearCookies();
  const link = await inviteMember(page, owner.org, rex.email, 'admin');
  await other.goto(link);
  await other.getByRole('link', { name: 'Sign in' }).click();
  await expect(other).toHaveURL(/\/login\?callbackUrl=%2Finvite$/);
  await other.getByLabel('Email').fill(rex.email);
  await other.getByLabel('Password').fill(rex.password);
  await other.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(other).toHaveURL(`${portalURL}/invite`);
  await acceptInvitation(other, link, owner.org);
  await page.goto(`/${owner.org}/members`);
  await expect(page.getByLabel('Role of Rex')).toHaveValue('admin');
  await context.close();
});
