// Organizations as users meet them: the switcher after being added to someone else's, a new
// organization, leaving one, breadcrumbs, and member actions that only show when they can work.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures';
import { portalURL } from './servers';
import { addMember, expectAccessible, signUp, type Account } from './helpers';

/** Opens Switch organization; returns the list of organizations. */
async function openSwitcher(page: Page) {
  await page.getByRole('button', { name: 'Switch organization' }).click();
  return page.getByRole('list', { name: 'Your organizations' });
}

test('the switcher lists an organization one was added to, marks the current one, and leads there', async ({ page, browser }) => {
  const ownerPage = await browser.newPage();
  const owner = await signUp(ownerPage, 'Olga');
  const milo = await signUp(page, 'Milo');
  await addMember(ownerPage, owner.org, milo, 'member');

  await page.reload();
  const list = await openSwitcher(page);
  await expect(list.getByRole('link')).toHaveText([new RegExp(`^${milo.org}`), new RegExp(`^${owner.org}`)]);
  await expect(list.getByRole('link', { name: milo.org })).toHaveAttribute('aria-current', 'page');
  await expect(list.getByRole('link', { name: owner.org })).not.toHaveAttribute('aria-current', 'page');
  await expectAccessible(page, 'the organization switcher, open');

  await list.getByRole('link', { name: owner.org }).click();
  await expect(page).toHaveURL(`${portalURL}/${owner.org}`);
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).locator('[aria-current="page"]')).toHaveText('Apps');
  const again = await openSwitcher(page);
  await expect(again.getByRole('link', { name: owner.org })).toHaveAttribute('aria-current', 'page');
  // Escape closes it and gives focus back.
  await page.keyboard.press('Escape');
  await expect(again).toBeHidden();
  await expect(page.getByRole('button', { name: 'Switch organization' })).toBeFocused();

  // Leave it from Members, behind a confirmation.
  await page.goto(`/${owner.org}/members`);
  await expect(page.getByRole('navigation', { name: 'Breadcrumb' }).locator('[aria-current="page"]')).toHaveText('Members');
  await page.getByRole('button', { name: 'Leave organization' }).click();
  const dialog = page.getByRole('alertdialog', { name: `Leave ${owner.org}?` });
  await expect(dialog).toBeVisible();
  await expectAccessible(page, 'the leave organization dialog');
  await dialog.getByRole('button', { name: 'Leave organization' }).click();
  await expect(page.getByRole('status').filter({ hasText: `You left ${owner.org}` })).toBeVisible();
  await expect(page).toHaveURL(`${portalURL}/${milo.org}`);
  const after = await openSwitcher(page);
  await expect(after.getByRole('link')).toHaveText([new RegExp(`^${milo.org}`)]);
  expect((await page.goto(`/${owner.org}`))?.status()).toBe(404);

  // The owner's activity says so.
  await ownerPage.goto(`/${owner.org}/activity`);
  await expect(ownerPage.getByRole('table')).toContainText('Left the organization (was member)');
  await ownerPage.close();
});

test('create an organization from the switcher; its creator owns it', async ({ page, account }) => {
  await page.goto(`/${account.org}`);
  const list = await openSwitcher(page);
  await page.getByRole('link', { name: 'New organization' }).click();
  await expect(page.getByRole('heading', { name: 'New organization', level: 1 })).toBeVisible();
  await expect(list).toBeHidden();
  await expectAccessible(page, 'the new organization page');

  await page.getByLabel('Organization name').fill(account.org);
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page.getByText('An organization with this name already exists. Choose another.')).toBeVisible();

  const name = `team-${Date.now().toString(36)}`;
  await page.getByLabel('Organization name').fill(name.toUpperCase());
  await page.getByRole('button', { name: 'Create organization' }).click();
  await expect(page).toHaveURL(`${portalURL}/${name}`);
  await expect(page.getByRole('link', { name: 'New app' })).toBeVisible();
  const after = await openSwitcher(page);
  await expect(after.getByRole('link', { name })).toHaveAttribute('aria-current', 'page');
  await expect(after.getByRole('link', { name })).toContainText('owner');
  await page.keyboard.press('Escape');

  await page.goto(`/${name}/activity`);
  await expect(page.getByRole('table')).toContainText('Created the organization');
});

test('the sole owner sees no Remove, role change or Leave for themselves, with the reason; Remove asks in the portal’s dialog', async ({ page, browser }) => {
  const owner = await signUp(page, 'Sole');
  const otherPage = await browser.newPage();
  const other: Account = await signUp(otherPage, 'Ravi');
  await otherPage.close();
  await addMember(page, owner.org, other, 'member');

  const selfRow = page.getByRole('row', { name: /Sole \(you\)/ });
  await expect(selfRow.getByRole('button')).toHaveCount(0);
  await expect(selfRow).toContainText('The only owner. Make another member an owner first to change or remove this one.');
  const leave = page.getByRole('region', { name: 'Leave organization' });
  await expect(leave.getByRole('button')).toHaveCount(0);
  await expect(leave).toContainText('You are the only owner. Make another member an owner before you leave.');
  await expectAccessible(page, 'members as the sole owner');

  // No native confirm(): the portal's own dialog, and Cancel changes nothing.
  let nativeDialogs = 0;
  page.on('dialog', (dialog) => {
    nativeDialogs += 1;
    void dialog.dismiss();
  });
  const remove = page.getByRole('button', { name: 'Remove Ravi' });
  await remove.click();
  const dialog = page.getByRole('alertdialog', { name: 'Remove Ravi?' });
  await expect(dialog).toContainText(other.email);
  await expectAccessible(page, 'the remove member dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(remove).toBeFocused();
  await expect(page.getByRole('cell', { name: other.email })).toBeVisible();
  await remove.click();
  await dialog.getByRole('button', { name: 'Remove' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Ravi removed' })).toBeVisible();
  await expect(page.getByRole('cell', { name: other.email })).toHaveCount(0);
  expect(nativeDialogs).toBe(0);
});
