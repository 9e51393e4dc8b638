import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import { portalURL } from './servers';

let counter = 0;

export type Account = { name: string; email: string; password: string; org: string };

/** Signs up through the form, as a new user would; ends on the new organization's apps page. */
export async function signUp(page: Page, name = 'Alice'): Promise<Account> {
  counter += 1;
  const email = `${name.toLowerCase()}-${process.pid}-${counter}-${Date.now()}@example.com`;
  const password = 'correct horse battery staple';
  await page.goto('/signup');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
  const org = new URL(page.url()).pathname.split('/')[1]!;
  return { name, email, password, org };
}

export async function signIn(page: Page, account: Pick<Account, 'email' | 'password'>): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
}

/** Creates an app from the apps page through the New app form; ends on the app's overview. */
export async function createApp(page: Page, org: string, name: string): Promise<void> {
  await page.goto(`/${org}`);
  await page.getByRole('link', { name: 'New app' }).click();
  await page.getByLabel('App name').fill(name);
  await page.getByLabel('Description').fill('Taxi trips for the demo');
  await page.getByRole('button', { name: 'Create app' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
}

type Role = 'owner' | 'admin' | 'member' | 'viewer';

/** Invites an address from the organization's Members page; the invitation link the page shows once. */
export async function inviteMember(page: Page, org: string, email: string, role: Role): Promise<string> {
  await page.goto(`/${org}/members`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role', { exact: true }).selectOption(role);
  await page.getByRole('button', { name: 'Invite member' }).click();
  const link = page.getByRole('textbox', { name: `Invitation link for ${email}` });
  await expect(link).toHaveValue(/\/invite\/spi_\w{36}$/);
  return link.inputValue();
}

/** Opens an invitation link as the signed-in invitee and accepts it; ends on the organization's apps page. */
export async function acceptInvitation(page: Page, link: string, org: string): Promise<void> {
  await page.goto(link);
  await expect(page).toHaveURL(/\/invite$/);
  await page.getByRole('button', { name: `Accept the invitation to ${org}` }).click();
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe(`/${org}`);
}

/**
 * Adds a member as an owner or admin does: invites the account's address on the Members page;
 * the invitee, signed in on a browser of their own, opens the link and accepts. Ends on the
 * inviter's Members page with the new member listed.
 */
export async function addMember(page: Page, org: string, invitee: Account, role: Role): Promise<void> {
  const link = await inviteMember(page, org, invitee.email, role);
  const context = await page.context().browser()!.newContext({ baseURL: portalURL });
  try {
    const inviteePage = await context.newPage();
    await signIn(inviteePage, invitee);
    await acceptInvitation(inviteePage, link, org);
  } finally {
    await context.close();
  }
  await page.goto(`/${org}/members`);
  await expect(page.getByRole('cell', { name: invitee.email, exact: true })).toBeVisible();
}

/** Opens Settings → General from the app's sidebar. */
export async function openGeneral(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'App' }).getByRole('link', { name: 'Settings' }).click();
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
}

/** The full value of a key field: reveals it if masked. */
export async function readKey(page: Page, slot: 1 | 2): Promise<string> {
  const show = page.getByRole('button', { name: `Show API Key ${slot}` });
  if (await show.isVisible()) await show.click();
  const value = await page.getByLabel(`API Key ${slot}`, { exact: true }).inputValue();
  await page.getByRole('button', { name: `Hide API Key ${slot}` }).click();
  return value;
}

/**
 * Resolves once the page is at rest: every animation and transition running now has finished
 * (a colour caught halfway through one, like a toast fading in, is not the page's colour).
 * Endless ones, like a spinner, are left running.
 */
export async function settled(page: Page): Promise<void> {
  await page.evaluate(() =>
    Promise.all(
      document
        .getAnimations()
        .filter((animation) => animation.playState === 'running' && animation.effect?.getComputedTiming().endTime !== Infinity)
        .map((animation) => animation.finished.catch(() => undefined)),
    ),
  );
}

async function severeViolations(page: Page): Promise<string[]> {
  await settled(page);
  // axe's default rule set, plus the (experimental) check that a control's name contains its visible text.
  const results = await new AxeBuilder({ page }).options({ rules: { 'label-content-name-mismatch': { enabled: true } } }).analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/**
 * axe-core finds no serious or critical violations on the page as it is now, once at rest: in
 * the light theme, in the dark theme (prefers-color-scheme: dark), and at a 390 px phone width.
 */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  expect(await severeViolations(page), `accessibility of ${label} (light)`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  expect(await severeViolations(page), `accessibility of ${label} (dark)`).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  const viewport = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  expect(await severeViolations(page), `accessibility of ${label} (390 px)`).toEqual([]);
  if (viewport) await page.setViewportSize(viewport);
}
