import { expect, test, type Page } from '@playwright/test';
import { addMember, createApp, expectAccessible, openGeneral, signUp } from './helpers';

async function regenerateKey1(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  await page.getByRole('alertdialog', { name: 'Regenerate API Key 1?' }).getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
}

test('another admin regenerates a key: the bell counts it, the inbox tells who and how, and marks read', async ({ page, browser }) => {
  const owner = await signUp(page, 'Olga');
  await createApp(page, owner.org, 'bell-demo');
  await expect(page.getByRole('link', { name: 'Notifications, 0 unread' })).toBeVisible();

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  const admin = await signUp(adminPage, 'Arno');
  await addMember(page, owner.org, admin.email, 'admin');

  await adminPage.goto(`/${owner.org}/bell-demo`);
  // Arno was told he was added.
  await expect(adminPage.getByRole('link', { name: 'Notifications, 1 unread' })).toBeVisible();
  await openGeneral(adminPage);
  await regenerateKey1(adminPage);

  // Olga: she added Arno (her own change, told to her too) and Arno regenerated a key.
  await page.reload();
  const bell = page.getByRole('link', { name: 'Notifications, 2 unread' });
  await expect(bell).toBeVisible();
  await bell.click();
  await expect(page.getByRole('heading', { name: 'Notifications', level: 1 })).toBeVisible();
  const list = page.getByRole('list', { name: 'Notifications' });
  const regenerated = list.getByRole('listitem').filter({ hasText: 'API Key 1 of bell-demo regenerated' });
  await expect(regenerated).toContainText(`Arno regenerated API Key 1 of the app bell-demo in ${owner.org} in the portal`);
  await expect(list.getByRole('listitem').filter({ hasText: `Arno was added to ${owner.org} as admin` })).toContainText(`You added Arno to ${owner.org}`);
  await expectAccessible(page, 'the notifications list');

  await regenerated.getByRole('button', { name: 'Mark read: API Key 1 of bell-demo regenerated' }).click();
  await expect(page.getByRole('link', { name: 'Notifications, 1 unread' })).toBeVisible();
  await expect(regenerated.getByRole('button')).toHaveCount(0);
  await expect(regenerated.getByRole('heading')).toHaveText('API Key 1 of bell-demo regenerated');

  await page.getByRole('button', { name: 'Mark all as read' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'All notifications marked read' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Notifications, 0 unread' })).toBeVisible();
  await expect(list.getByRole('button')).toHaveCount(0);
  await page.reload();
  await expect(page.getByRole('link', { name: 'Notifications, 0 unread' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Mark all as read' })).toHaveCount(0);
  await expectAccessible(page, 'the notifications list, all read');

  // Account → Notifications: the regenerations, turned off in the inbox, stop reaching it.
  await page.getByRole('button', { name: 'User menu for Olga' }).click();
  await page.getByRole('link', { name: 'Notifications', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Notification preferences', level: 1 })).toBeVisible();
  await expect(page).toHaveURL(/\/settings\/notifications$/);
  const inbox = page.getByRole('checkbox', { name: 'A key of an app is regenerated, in the portal' });
  await expect(inbox).toBeChecked();
  await expect(page.getByRole('row', { name: /A key of an app is reported leaked/ })).toContainText('Always on');
  await expect(page.getByRole('checkbox', { name: /reported leaked/ })).toHaveCount(0);
  await expectAccessible(page, 'notification preferences');
  await inbox.uncheck();
  await page.getByRole('button', { name: 'Save preferences' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Notification preferences saved' })).toBeVisible();
  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'A key of an app is regenerated, in the portal' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'A key of an app is regenerated, by email' })).toBeChecked();

  await regenerateKey1(adminPage);
  await page.reload();
  await expect(page.getByRole('link', { name: 'Notifications, 0 unread' })).toBeVisible();
  // Arno's own regenerations reached his inbox: his choice, not Olga's.
  await adminPage.reload();
  await expect(adminPage.getByRole('link', { name: 'Notifications, 3 unread' })).toBeVisible();
  await adminContext.close();
});
