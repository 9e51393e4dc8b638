import { Webhook } from 'standardwebhooks';
import { startReceiver } from '../support/webhook-receiver';
import { expect, test } from './fixtures';
import { expectAccessible } from './helpers';

test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

test('add an endpoint, copy its secret once, send a test event the receiver verifies, see it in the delivery log, rotate the secret', async ({
  page,
  account,
}) => {
  const receiver = await startReceiver();
  try {
    await page.goto(`/${account.org}/settings/security`);
    await page.getByRole('navigation', { name: 'Organization settings' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 1 })).toBeVisible();
    await expect(page.getByText('No endpoints yet.')).toBeVisible();
    await expectAccessible(page, 'the webhooks page');

    // A URL that is not http(s) is refused in the form, with the reason.
    await page.getByLabel('URL').fill('ftp://hooks.example.com/spice');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByLabel('URL')).toHaveAccessibleDescription(/Webhook URLs must start with https:\/\//);

    await page.getByLabel('URL').fill(`${receiver.url}/hook`);
    await page.getByLabel('Description (optional)').fill('secret manager');
    await page.getByRole('checkbox', { name: /member\.removed/ }).uncheck();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const panel = page.getByRole('region', { name: 'New signing secret' });
    await expect(panel).toContainText('It cannot be shown again');
    const secret = await panel.getByLabel('New signing secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await panel.getByRole('button', { name: 'Copy secret' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Signing secret copied' })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await expectAccessible(page, 'a new endpoint’s secret, shown once');

    // Listed, never with its secret again.
    await page.reload();
    const row = page.getByRole('row', { name: new RegExp(`${receiver.url}/hook`) });
    await expect(row).toContainText('Enabled');
    await expect(row).toContainText('api_key.regenerated');
    await expect(row).not.toContainText('member.removed');
    await expect(page.getByText(secret)).toHaveCount(0);

    await row.getByRole('link').click();
    await expect(page.getByRole('heading', { name: 'Webhook endpoint', level: 1 })).toBeVisible();
    await expect(page.getByText('No deliveries yet.')).toBeVisible();
    await page.getByRole('button', { name: 'Send test event' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Test event queued' })).toBeVisible();

    // The outbox worker delivers it within its poll; the receiver verifies the signature.
    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(1);
    const [delivery] = receiver.received;
    expect(new Webhook(secret).verify(delivery!.body, delivery!.headers)).toMatchObject({
      type: 'webhook.test',
      data: { organization: { name: account.org } },
    });
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole('row', { name: /webhook\.test/ })).toContainText('200', { timeout: 1000 });
    }).toPass({ timeout: 20_000 });
    const logged = page.getByRole('row', { name: /webhook\.test/ });
    await expect(logged).toContainText(delivery!.headers['webhook-id']!);
    await expect(logged).toContainText('ok');
    await expect(logged.getByRole('button', { name: 'Resend webhook.test attempt 1' })).toBeEnabled();
    await expectAccessible(page, 'an endpoint with its delivery log');

    // Rotate: behind a confirmation, the new secret shown once.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Rotate the signing secret?' });
    await expectAccessible(page, 'the rotate secret dialog');
    await dialog.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = await page.getByRole('region', { name: 'New signing secret' }).getByLabel('New signing secret').inputValue();
    expect(rotated).toMatch(/^whsec_/);
    expect(rotated).not.toBe(secret);
  } finally {
    await receiver.close();
  }
});
