// Two-factor authentication in the browser: enrolling an authenticator app with codes the test
// computes from the setup key the page shows (as an app would), the recovery codes shown once
// and downloaded, then signing in with the password and a code, and with a recovery code, which
// works once. axe checks the Security page and the second step, light, dark and 390 px.
import fs from 'node:fs';
import { expect, test, type Page } from '@playwright/test';
import { Secret, TOTP } from 'otpauth';
import { pendingSignInTicket, setLastAuthentication } from './database';
import { addMember, expectAccessible, signUp, type Account } from './helpers';
import { portalURL } from './servers';

const WRONG = "That code didn't work. Try again or use a recovery code.";

/** The code an authenticator app shows for the key, `steps` periods from now. */
function codeFor(setupKey: string, steps = 0): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(setupKey) }).generate({ timestamp: Date.now() + steps * 30_000 });
}

/** A 6-digit code that is none of the key's codes around now. */
function wrongCode(setupKey: string): string {
  const near = new Set([-1, 0, 1, 2].map((steps) => codeFor(setupKey, steps)));
  let code = 123456;
  while (near.has(String(code))) code += 1;
  return String(code);
}

async function signOut(page: Page, name: string) {
  await page.getByRole('button', { name: `User menu for ${name}` }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
}

/** The first step: ends on the second one. */
async function password(page: Page, account: Account) {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
}

/** Sets up an authenticator app from the Security page, the shortest way; returns the setup key and the recovery codes. */
async function enroll(page: Page): Promise<{ setupKey: string; codes: string[] }> {
  await page.goto('/settings/security');
  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const setupKey = (await page.getByLabel('Setup key').inputValue()).replace(/\s/g, '');
  await page.getByLabel('Code from the app').fill(codeFor(setupKey));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  const shown = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(shown).toHaveCount(10);
  const codes = await shown.allTextContents();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByText('Recovery codes left: 10 of 10.')).toBeVisible();
  return { setupKey, codes };
}

test('enroll an authenticator app, then sign in with a code and with a recovery code that works once', async ({ page }) => {
  // The QR code and the forms work under the portal's CSP: no violation, no uncaught error.
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  const account = await signUp(page, 'Tova');
  await page.getByRole('button', { name: 'User menu for Tova' }).click();
  await page.getByRole('link', { name: 'Security' }).click();
  await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Authenticator app' })).toContainText('Two-factor authentication is off.');
  await expectAccessible(page, 'the Security page');

  await page.getByRole('button', { name: 'Set up authenticator app' }).click();
  const qr = page.getByRole('img', { name: 'QR code to add Spice Portal to your authenticator app' });
  await expect(qr).toBeVisible();
  expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
  const setupKey = (await page.getByLabel('Setup key').inputValue()).replace(/\s/g, '');
  expect(setupKey).toMatch(/^[A-Z2-7]{32}$/);
  await expectAccessible(page, 'setting up an authenticator app');

  // A wrong code is refused and changes nothing; the app's code turns it on.
  const codeField = page.getByLabel('Code from the app');
  await codeField.fill(wrongCode(setupKey));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await expect(codeField).toHaveAccessibleDescription(/^That code didn't work\./);
  await codeField.fill(codeFor(setupKey));
  await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();

  const shown = page.getByRole('region', { name: 'Your recovery codes' });
  await expect(shown).toContainText('they are shown only now');
  const codes = await shown.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').allTextContents();
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(/^[0-9a-z]{4}(-[0-9a-z]{4}){3}$/);
  await expectAccessible(page, 'the recovery codes');
  const downloading = page.waitForEvent('download');
  await shown.getByRole('button', { name: 'Download recovery codes' }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe('spice-portal-recovery-codes.txt');
  const file = fs.readFileSync(await download.path(), 'utf8');
  for (const code of codes) expect(file).toContain(code);
  await shown.getByRole('button', { name: 'I have saved them' }).click();
  await expect(page.getByRole('region', { name: 'Authenticator app' })).toContainText('Two-factor authentication is on');
  await expect(page.getByText('Recovery codes left: 10 of 10.')).toBeVisible();
  await expect(page.getByText(codes[0]!)).toHaveCount(0);
  await expectAccessible(page, 'the Security page with two-factor authentication on');

  // Password, then a code: the code of the enrollment's step was used, so the app's next one.
  await signOut(page, 'Tova');
  await password(page, account);
  await expectAccessible(page, 'the second sign-in step');
  const authCode = page.getByLabel('Authentication code');
  await authCode.fill(wrongCode(setupKey));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(WRONG);
  await authCode.fill(codeFor(setupKey, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();

  // Password, then a recovery code.
  await signOut(page, 'Tova');
  await password(page, account);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]!);
  await expectAccessible(page, 'the second sign-in step with a recovery code');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
  await page.goto('/settings/security');
  await expect(page.getByText('Recovery codes left: 9 of 10.')).toBeVisible();

  // That recovery code is used up.
  await signOut(page, 'Tova');
  await password(page, account);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]!);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(WRONG);
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  // Back to the first step, with nothing signed in.
  await page.getByRole('button', { name: 'Back to sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await page.goto('/settings/security');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  expect(problems).toEqual([]);
});

test('the second step goes back to sign-in with a message after 5 minutes', async ({ page }) => {
  const account = await signUp(page, 'Ugo');
  await enroll(page);
  await signOut(page, 'Ugo');
  await page.clock.install();
  await password(page, account);
  await page.clock.fastForward('05:01');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText('Your sign-in expired. Enter your email and password again.');
  await expect(page.getByLabel('Email')).toHaveValue(account.email);
});

test('an organization that requires two-factor authentication lists whom it affects, then asks them to set it up first', async ({ page, browser }) => {
  const owner = await signUp(page, 'Olive');
  // A context of its own (axe needs a page made by browser.newContext()).
  const memberContext = await browser.newContext();
  const memberPage = await memberContext.newPage();
  const member = await signUp(memberPage, 'Milo');
  await enroll(page);
  await addMember(page, owner.org, member, 'admin');

  await page.goto(`/${owner.org}`);
  await page.getByRole('navigation', { name: 'Organization' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  const affected = page.getByRole('region', { name: 'Members without two-factor authentication' });
  await expect(affected.getByRole('row', { name: new RegExp(member.email) })).toBeVisible();
  await expect(affected.getByRole('row', { name: new RegExp(owner.email) })).toHaveCount(0);
  await expectAccessible(page, "the organization's Security page");
  await page.getByRole('button', { name: 'Require two-factor authentication' }).click();
  await expect(page.getByRole('region', { name: 'Require two-factor authentication' })).toContainText('On: every member');
  await expect(page.getByRole('button', { name: 'Stop requiring two-factor authentication' })).toBeVisible();

  // The member: that organization sends them to set it up; their own is not affected.
  await memberPage.goto(`/${owner.org}`);
  await expect(memberPage).toHaveURL(/\/settings\/security\?required=/);
  await expect(memberPage.getByRole('note')).toHaveText(
    `${owner.org} requires two-factor authentication. Set up an authenticator app or add a passkey below to open ${owner.org}; your other organizations are not affected.`,
  );
  await expectAccessible(memberPage, 'the page asking to set up two-factor authentication first');
  await memberPage.goto(`/${member.org}`);
  await expect(memberPage.getByRole('heading', { name: 'Apps' })).toBeVisible();

  await memberPage.goto(`/${owner.org}`);
  await expect(memberPage.getByRole('heading', { name: 'Security', level: 1 })).toBeVisible();
  await memberPage.getByRole('button', { name: 'Set up authenticator app' }).click();
  const setupKey = (await memberPage.getByLabel('Setup key').inputValue()).replace(/\s/g, '');
  await memberPage.getByLabel('Code from the app').fill(codeFor(setupKey));
  await memberPage.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
  await memberPage.getByRole('button', { name: 'I have saved them' }).click();
  await memberPage.getByRole('link', { name: `open ${owner.org}` }).click();
  await expect(memberPage.getByRole('heading', { name: 'Apps' })).toBeVisible();
  await memberContext.close();
});

test('after GitHub, the sign-in page opens the second step from its cookie, and the cookie goes once it passes', async ({ page, context }) => {
  const account = await signUp(page, 'Gabe');
  const { setupKey } = await enroll(page);
  await signOut(page, account.name);
  // The state GitHub's callback leaves: a ticket, in a cookie only the sign-in page gets.
  const ticket = await pendingSignInTicket(account.email);
  const { hostname } = new URL(portalURL);
  await context.addCookies([{ name: 'portal-second-step', value: ticket, domain: hostname, path: '/login', httpOnly: true, sameSite: 'Lax' }]);
  await page.goto('/login?step=second-factor&callbackUrl=/settings/security');
  await expect(page.getByRole('heading', { name: 'Two-factor authentication' })).toBeVisible();
  expect(page.url()).not.toContain(ticket);
  await expectAccessible(page, 'the second step after GitHub');
  await page.getByLabel('Authentication code').fill(wrongCode(setupKey));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('main').getByRole('alert')).toHaveText(WRONG);
  // The enrollment used the current step's code: the app's next one.
  await page.getByLabel('Authentication code').fill(codeFor(setupKey, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByText('Recovery codes left: 10 of 10.')).toBeVisible();
  expect((await context.cookies()).map((cookie) => cookie.name)).not.toContain('portal-second-step');
});

test('the second step after GitHub, once its ticket is gone, starts over with the reason', async ({ page }) => {
  // Where the GitHub sign-in callback sends an account with two-factor authentication
  // (tests/integration/github-second-step.test.ts); without its cookie the ticket is gone.
  await page.goto('/login?step=second-factor');
  await expect(page.getByRole('main').getByRole('status')).toHaveText('Your sign-in expired. Enter your email and password again.');
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  // An error name in the address is not echoed.
  await page.goto('/login?error=TwoFactorGitHub');
  await expect(page.getByRole('main').getByRole('status')).toHaveCount(0);
});

test('turning two-factor authentication off on an old session asks "Confirm it’s you" for a code first', async ({ page }) => {
  const account = await signUp(page, 'Vic');
  const { setupKey, codes } = await enroll(page);
  await setLastAuthentication(account.email, new Date(Date.now() - 11 * 60_000));

  const turnOff = page.getByRole('region', { name: 'Turn off two-factor authentication' });
  await turnOff.getByLabel('Password').fill(account.password);
  // The enrollment used the current step's code: the app's next one.
  await turnOff.getByLabel('Code from your app, or a recovery code').fill(codeFor(setupKey, 1));
  await turnOff.getByRole('button', { name: 'Turn off two-factor authentication' }).click();

  const dialog = page.getByRole('dialog', { name: 'Confirm it’s you' });
  await expect(dialog).toContainText('Enter the 6-digit code from your authenticator app, or a recovery code, to continue.');
  const field = dialog.getByLabel('Authentication code');
  await expect(field).toBeFocused();
  await expectAccessible(page, 'Confirm it’s you with a code');
  await field.fill(wrongCode(setupKey));
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(field).toHaveAccessibleDescription(WRONG);
  // A recovery code confirms it; the form then goes on with its own code and turns it off.
  await field.fill(codes[0]!);
  await dialog.getByRole('button', { name: 'Confirm' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Authenticator app' })).toContainText('Two-factor authentication is off.');
});
