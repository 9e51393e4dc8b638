import { expect, test, type Page } from '@playwright/test';
import { startMailbox, type Mailbox } from '../support/mailbox';
import { addMember, createApp, expectAccessible, openGeneral, readKey, signUp } from './helpers';
import { startInstance, type Instance } from './instances';
import { portalPort, runtimePort } from './servers';

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
  await addMember(page, owner.org, admin, 'admin');

  await adminPage.goto(`/${owner.org}/bell-demo`);
  // Arno was told of the invitation, and that he joined.
  await expect(adminPage.getByRole('link', { name: 'Notifications, 2 unread' })).toBeVisible();
  await openGeneral(adminPage);
  await regenerateKey1(adminPage);

  // Olga: Arno joined by accepting her invitation, and regenerated a key.
  await page.reload();
  const bell = page.getByRole('link', { name: 'Notifications, 2 unread' });
  await expect(bell).toBeVisible();
  await bell.click();
  await expect(page.getByRole('heading', { name: 'Notifications', level: 1 })).toBeVisible();
  const list = page.getByRole('list', { name: 'Notifications' });
  const regenerated = list.getByRole('listitem').filter({ hasText: 'API Key 1 of bell-demo regenerated' });
  await expect(regenerated).toContainText(`Arno regenerated API Key 1 of the app bell-demo in ${owner.org} in the portal`);
  await expect(list.getByRole('listitem').filter({ hasText: `Arno joined ${owner.org} as admin` })).toContainText(
    `Arno accepted an invitation and joined ${owner.org} as admin`,
  );
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
  await expect(adminPage.getByRole('link', { name: 'Notifications, 4 unread' })).toBeVisible();
  await adminContext.close();
});

test.describe('on a portal with SMTP_URL set', () => {
  let mailbox: Mailbox;
  let mailing: Instance | undefined;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    mailbox = await startMailbox();
    mailing = await startInstance(
      'mailing',
      { portal: portalPort + 8, runtime: runtimePort + 8 },
      { SMTP_URL: mailbox.url, MAIL_FROM: 'Spice Security <security@example.com>' },
    );
  });
  test.afterAll(async () => {
    await mailing?.stop();
    await mailbox.close();
  });

  test("the portal's own worker emails a regenerated key once, without the key", async ({ page }) => {
    await page.goto(`${mailing!.portalURL}/signup`);
    const email = `mia-${Date.now()}@example.com`;
    await page.getByLabel('Name').fill('Mia');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
    const org = new URL(page.url()).pathname.split('/')[1]!;
    await page.goto(`${mailing!.portalURL}/${org}/new`);
    await page.getByLabel('App name').fill('mailed-app');
    await page.getByRole('button', { name: 'Create app' }).click();
    await expect(page.getByRole('heading', { name: 'mailed-app' })).toBeVisible();
    await openGeneral(page);
    await regenerateKey1(page);
    const key = await readKey(page, 1);

    // The worker polls every few seconds, off the request path.
    await expect.poll(() => mailbox.received.filter((m) => m.to === email).length, { timeout: 20_000 }).toBe(1);
    const [message] = mailbox.received.filter((m) => m.to === email);
    expect(message!.mail.subject).toBe('API Key 1 of mailed-app regenerated');
    expect(message!.mail.text).toContain(`You regenerated API Key 1 of the app mailed-app in ${org} in the portal`);
    expect(message!.mail.from?.text).toBe('"Spice Security" <security@example.com>');
    expect(message!.raw).not.toContain(key);
    expect(message!.raw).not.toMatch(/spk_[0-9A-Za-z]{8}/);
    // Sent once: a later round sends nothing more.
    await page.waitForTimeout(6000);
    expect(mailbox.received.filter((m) => m.to === email)).toHaveLength(1);
  });
});
