// The viewer role (issue 17): an owner grants it on Members; the viewer sees the app and each
// key's use, never a key, and is offered nothing that copies, shows, regenerates or runs one.
import { expect, test } from '@playwright/test';
import { addMember, createApp, expectAccessible, openGeneral, signUp } from './helpers';

const REFUSAL = "Viewers can't see API keys";

test('a viewer sees the apps and the use of the keys, never a key', async ({ page: viewerPage, browser }) => {
  // The viewer has the test's own page (axe runs there); the owner a page of its own.
  const page = await browser.newPage();
  const owner = await signUp(page, 'Olive');
  await createApp(page, owner.org, 'viewed-app');

  const viewer = await signUp(viewerPage, 'Vic');

  // The role select offers every role to an owner, viewer included.
  await page.goto(`/${owner.org}/members`);
  await expect(page.getByLabel('Role', { exact: true }).getByRole('option')).toHaveText(['owner', 'admin', 'member', 'viewer']);
  await addMember(page, owner.org, viewer, 'viewer');
  await expect(page.getByLabel(`Role of ${viewer.name}`)).toHaveValue('viewer');

  // The apps list, then the Overview: no quick start, so no key to copy and no Run query.
  await viewerPage.goto(`/${owner.org}`);
  await viewerPage.getByRole('link', { name: 'viewed-app' }).first().click();
  await expect(viewerPage.getByRole('heading', { name: 'viewed-app' })).toBeVisible();
  await expect(viewerPage.getByText(REFUSAL)).toBeVisible();
  await expect(viewerPage.getByRole('button', { name: 'Run query' })).toHaveCount(0);
  await expect(viewerPage.getByRole('button', { name: /^Copy/ })).toHaveCount(0);

  await openGeneral(viewerPage);
  for (const slot of [1, 2] as const) {
    const field = viewerPage.getByLabel(`API Key ${slot}`, { exact: true });
    await expect(field).toHaveValue(/^spk_•+$/);
    await expect(field).toHaveAccessibleDescription(new RegExp(`^${REFUSAL}\\. Created .* by Olive Never used$`));
    for (const name of [`Copy API Key ${slot}`, `Show API Key ${slot}`, `Regenerate API Key ${slot}`]) {
      await expect(viewerPage.getByRole('button', { name })).toHaveCount(0);
    }
  }
  await expect(viewerPage.getByRole('button', { name: /Copy|Show|Regenerate|Run query/ })).toHaveCount(0);
  await expect(viewerPage.getByText('Never used')).toHaveCount(2);
  // No key anywhere in the page the browser received.
  expect(await viewerPage.content()).not.toMatch(/spk_[0-9A-Za-z]{36}/);
  await expect(viewerPage.getByRole('region', { name: 'Connect' })).toContainText(REFUSAL);
  await expectAccessible(viewerPage, 'Settings → General for a viewer');
  await page.close();
});
