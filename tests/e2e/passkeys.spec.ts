// Passkeys in real Chromium, with the DevTools protocol's virtual authenticator (a platform
// authenticator that keeps discoverable credentials and verifies the user by itself).
import { expect, test, type Page } from '@playwright/test';
import { portalPort } from './servers';
import { setLastAuthentication } from './database';
import { createApp, expectAccessible, openGeneral, readKey, signUp } from './helpers';

/**
 * Browsers refuse an IP address as a WebAuthn relying party id, so the portal is opened at
 * localhost (a loopback name, as on the embedded default) instead of 127.0.0.1.
 */
const localURL = `http://localhost:${portalPort}`;

/** Gives the page a virtual authenticator: ctap2, built in, resident keys, user verification. */
async function addVirtualAuthenticator(page: Page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
  });
  return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

async function signOut(page: Page, name: string) {
  await page.getByRole('button', { name: `User menu for ${name}` }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

test.describe('at localhost', () => {
  test.use({ baseURL: localURL });

  test('add a passkey, sign in with it instead of the password, then remove it with the password and the passkey', async ({ page }) => {
    const authenticator = await addVirtualAuthenticator(page);
    const account = await signUp(page, 'Penny');

    await page.getByRole('button', { name: 'User menu for Penny' }).click();
    await page.getByRole('link', { name: 'Security' }).click();
    await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
    const passkeys = page.getByRole('region', { name: 'Passkeys', exact: true });
    await expect(passkeys).toContainText('No passkeys yet.');
    await expectAccessible(page, 'the Security page without passkeys');

    // The name starts as the browser's, and can be changed.
    await expect(page.getByLabel('Passkey name')).toHaveValue(/Chrom/);
    await page.getByLabel('Passkey name').fill('Work laptop');
    await page.getByRole('button', { name: 'Add passkey' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Passkey Work laptop added' })).toBeVisible();
    const row = page.getByRole('row', { name: /Work laptop/ });
    await expect(row).toContainText('just now');
    await expect(row).toContainText('Never used');
    const [credential] = await authenticator.credentials();
    expect(credential?.isResidentCredential).toBe(true);
    expect(credential?.rpId).toBe('localhost');
    await expectAccessible(page, 'the Security page with a passkey');

    // Signed out, the passkey signs in: no e-mail, no password.
    await signOut(page, 'Penny');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'User menu for Penny' })).toBeVisible();
    expect((await authenticator.credentials())[0]?.signCount).toBeGreaterThan(0);

    await page.goto('/settings/security');
    await expect(page.getByRole('row', { name: /Work laptop/ })).not.toContainText('Never used');

    // The last passkey is the account's only second factor: it goes only with the password and
    // the passkey itself. The button stays disabled until the password is typed.
    await page.getByRole('button', { name: 'Remove Work laptop' }).click();
    const dialog = page.getByRole('alertdialog', { name: 'Remove Work laptop?' });
    await expect(dialog).toContainText('It is your last passkey and your only second factor');
    await expect(dialog.getByLabel('Password')).toBeFocused();
    const remove = dialog.getByRole('button', { name: 'Use your passkey and remove' });
    await expect(remove).toBeDisabled();
    await expectAccessible(page, 'the Remove passkey dialog');
    await dialog.getByLabel('Password').fill('not my password');
    await remove.click();
    await expect(page.getByRole('status').filter({ hasText: 'The current password is not right.' })).toBeVisible();
    await expect(page.getByRole('row', { name: /Work laptop/ })).toBeVisible();

    await page.getByRole('button', { name: 'Remove Work laptop' }).click();
    await dialog.getByLabel('Password').fill(account.password);
    await remove.click();
    await expect(page.getByRole('status').filter({ hasText: 'Passkey Work laptop removed' })).toBeVisible();
    await expect(passkeys).toContainText('No passkeys yet.');

    // The authenticator still holds the credential; the portal no longer knows it.
    await signOut(page, 'Penny');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect(page.getByRole('alert').filter({ hasText: "That passkey didn't work. Try again." })).toBeVisible();
    await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
    await expectAccessible(page, 'the sign-in page with a passkey refused');
  });

  test('a passkey is a second factor: the password, then Use a passkey; Confirm it’s you with it', async ({ page }) => {
    await addVirtualAuthenticator(page);
    const account = await signUp(page, 'Pascal');
    await page.goto('/settings/security');
    await page.getByRole('button', { name: 'Add passkey' }).click();
    await expect(page.getByRole('status').filter({ hasText: /Passkey .* added/ })).toBeVisible();
    await page.reload();
    await expect(page.getByRole('region', { name: 'Authenticator app' })).toContainText('Two-factor authentication is on with your passkeys');

    // The password alone no longer signs in: a second step asks for the passkey, with no code field.
    await signOut(page, 'Pascal');
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
    await expect(page.getByLabel('Authentication code')).toHaveCount(0);
    await expect(page.getByRole('button', { name: 'Use a recovery code' })).toHaveCount(0);
    await expectAccessible(page, 'the second sign-in step with a passkey');
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'User menu for Pascal' })).toBeVisible();

    // A sensitive action on an old session: Confirm it's you asks for the passkey, and never for the password alone.
    await createApp(page, account.org, 'passkey-step-up');
    await openGeneral(page);
    const before = await readKey(page, 2);
    await setLastAuthentication(account.email, new Date(Date.now() - 11 * 60_000));
    await page.getByRole('button', { name: 'Regenerate API Key 2' }).click();
    await page.getByRole('alertdialog', { name: 'Regenerate API Key 2?' }).getByRole('button', { name: 'Regenerate' }).click();
    const confirm = page.getByRole('dialog', { name: 'Confirm it’s you' });
    await expect(confirm).toContainText('Use one of your passkeys to continue');
    await expect(confirm.getByRole('button', { name: 'Use your password' })).toHaveCount(0);
    await expect(confirm.getByLabel('Password')).toHaveCount(0);
    await expectAccessible(page, 'Confirm it’s you with a passkey');
    await confirm.getByRole('button', { name: 'Use a passkey' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'API Key 2 regenerated' })).toBeVisible();
    await expect(confirm).toBeHidden();
    expect(await readKey(page, 2)).not.toBe(before);
  });
});

test('at 127.0.0.1 the browser refuses the IP address as a relying party id, and the page says where passkeys work', async ({ page }) => {
  await addVirtualAuthenticator(page);
  await signUp(page, 'Ivo');
  await page.goto('/settings/security');
  await page.getByRole('button', { name: 'Add passkey' }).click();
  await expect(page.getByRole('alert').filter({ hasText: "Passkeys don't work at this address." })).toContainText(`http://localhost:${portalPort}`);
  await expect(page.getByRole('region', { name: 'Passkeys', exact: true })).toContainText('No passkeys yet.');
});
