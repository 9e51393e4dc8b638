// Accounts that hold up: security headers and the CSP on every page, sessions that end on the
// server, a Host header that cannot steer redirects, and (on a server of its own, with low
// limits and its own database) the per-address limits and a client address that a forged
// X-Forwarded-For cannot change.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createClient } from '@libsql/client';
import { expect, test, type Page, type Response } from '@playwright/test';
import pg from 'pg';
import { createDatabase, databaseUrl } from '../../scripts/support/postgres-admin';
import { createApp, expectAccessible, openGeneral, readKey, signIn, signUp } from './helpers';
import { query, startInstance, type Instance } from './instances';
import { portalPort, portalURL, postgres, provider, runtimePort, sharedEnv } from './servers';

/** Watches a page for what a CSP breaks: violations in the console and uncaught errors. */
function watchCsp(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content.Security.Policy|Refused to (execute|load|apply|connect|evaluate)/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

/** Every page (document) response the page receives. */
function watchDocuments(page: Page): Response[] {
  const documents: Response[] = [];
  page.on('response', (response) => {
    if (response.request().resourceType() === 'document') documents.push(response);
  });
  return documents;
}

test('every page carries the security headers and works under its CSP, with no CSP errors in the console', async ({ page }) => {
  const problems = watchCsp(page);
  const documents = watchDocuments(page);
  const account = await signUp(page, 'Cleo');
  await createApp(page, account.org, 'csp-app');
  await openGeneral(page);
  expect(await readKey(page, 1)).toMatch(/^spk_/);
  await page.goto(`/${account.org}/members`);
  await expect(page.getByRole('heading', { name: 'Members' })).toBeVisible();
  await page.goto('/settings/tokens');
  await expect(page.getByRole('heading', { name: 'Personal access tokens' })).toBeVisible();
  await page.goto(`/${account.org}/no-such-app`);
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.goto('/no/such/page/at/all');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Go to your apps' }).click();
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();

  expect(documents.length).toBeGreaterThanOrEqual(5);
  const nonces = new Set<string>();
  for (const response of documents) {
    const headers = response.headers();
    const csp = headers['content-security-policy'] ?? '';
    const where = new URL(response.url()).pathname;
    expect(csp, where).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp, where).not.toContain('unsafe-eval');
    expect(csp, where).toContain("frame-ancestors 'none'");
    nonces.add(/'nonce-([^']+)'/.exec(csp)![1]!);
    expect(headers['permissions-policy'], where).toContain('camera=()');
    expect(headers['x-content-type-options'], where).toBe('nosniff');
    expect(headers['referrer-policy'], where).toBe('same-origin');
    expect(headers['x-frame-options'], where).toBe('DENY');
    // Served over plain HTTP here: no HSTS (a browser would ignore it anyway).
    expect(headers['strict-transport-security'], where).toBeUndefined();
  }
  // A fresh nonce for every page.
  expect(nonces.size).toBe(documents.length);
  expect(problems).toEqual([]);
});

test('signing out ends the session on the server: the old cookie is refused', async ({ page, browser }) => {
  const account = await signUp(page, 'Dara');
  const cookies = await page.context().cookies();
  expect(cookies.some((cookie) => cookie.name === 'next-auth.session-token')).toBe(true);
  await page.getByRole('button', { name: 'User menu for Dara' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();

  // Someone who kept a copy of the cookie gets nothing with it.
  const copy = await browser.newContext();
  await copy.addCookies(cookies);
  const stolen = await copy.newPage();
  await stolen.goto(`/${account.org}`);
  await expect(stolen).toHaveURL(/\/login/);
  await expect(stolen.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await copy.close();
});

test('Sign out everywhere signs every browser out; changing the password signs the others out', async ({ page, browser }) => {
  const account = await signUp(page, 'Eve');
  const laptop = await browser.newContext();
  const other = await laptop.newPage();
  await signIn(other, account);

  // Change the password here: the other browser is signed out, this one stays.
  await page.getByRole('button', { name: 'User menu for Eve' }).click();
  await page.getByRole('link', { name: 'Change password' }).click();
  await expect(page.getByRole('heading', { name: 'Change password' })).toBeVisible();
  await page.getByLabel('Current password').fill(account.password);
  await page.getByLabel('New password').fill('a brand new passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Password changed. Signed out of 1 other session.' })).toBeVisible();
  await other.goto(`/${account.org}`);
  await expect(other).toHaveURL(/\/login/);
  await expect(other.getByRole('status').filter({ hasText: 'You were signed out because your password was changed.' })).toBeVisible();
  await page.goto(`/${account.org}`);
  await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();

  // Sign in on the other browser with the new password, then sign out everywhere from this one,
  // after a confirmation (Cancel changes nothing).
  await signIn(other, { email: account.email, password: 'a brand new passphrase' });
  await page.getByRole('button', { name: 'User menu for Eve' }).click();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  const confirm = page.getByRole('alertdialog', { name: 'Sign out everywhere?' });
  await expect(confirm).toContainText('Every browser where you are signed in, this one included');
  await expectAccessible(page, 'the Sign out everywhere dialog');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await expect(confirm).toBeHidden();
  await other.reload();
  await expect(other.getByRole('heading', { name: 'Apps' })).toBeVisible();
  await page.getByRole('button', { name: 'User menu for Eve' }).click();
  await page.getByRole('button', { name: 'Sign out everywhere' }).click();
  await confirm.getByRole('button', { name: 'Sign out everywhere' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await other.goto(`/${account.org}`);
  await expect(other).toHaveURL(/\/login/);
  await expect(other.getByRole('status').filter({ hasText: 'You were signed out because Sign out everywhere was used on your account.' })).toBeVisible();
  await laptop.close();
});

/** A raw request, so that Host and forwarding headers are exactly what an attacker sends. */
function rawRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

test('a forged Host never appears in any Location, and a malformed callbackUrl is ignored', async () => {
  const forged = { Host: 'evil.example', 'X-Forwarded-Host': 'evil.example', 'X-Forwarded-Proto': 'https' };
  const csrf = await rawRequest(`${portalURL}/api/auth/csrf`, { headers: forged });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const csrfCookie = ([] as string[])
    .concat(csrf.headers['set-cookie'] ?? [])
    .map((cookie) => cookie.split(';')[0])
    .join('; ');
  const answers = [
    await rawRequest(`${portalURL}/`, { headers: forged }),
    await rawRequest(`${portalURL}/some-org/some-app/settings/general`, { headers: forged }),
    await rawRequest(`${portalURL}/api/auth/signin`, { headers: forged }),
    await rawRequest(`${portalURL}/api/auth/signin?callbackUrl=${encodeURIComponent('https://evil.example/x')}`, { headers: forged }),
    await rawRequest(`${portalURL}/api/auth/signin/credentials`, { headers: forged }),
    await rawRequest(`${portalURL}/api/auth/signout`, {
      method: 'POST',
      headers: { ...forged, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookie },
      body: new URLSearchParams({ csrfToken, callbackUrl: '/login' }).toString(),
    }),
    await rawRequest(`${portalURL}/api/auth/callback/credentials`, {
      method: 'POST',
      headers: { ...forged, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: csrfCookie },
      body: new URLSearchParams({ csrfToken, email: 'nobody@example.com', password: 'wrong password' }).toString(),
    }),
  ];
  const locations = answers.map((answer) => answer.headers.location).filter(Boolean);
  expect(locations.length).toBeGreaterThanOrEqual(5);
  for (const location of locations) expect(location).not.toMatch(/evil\.example/);
  for (const answer of answers) expect(answer.status).toBeLessThan(500);

  // A callbackUrl that is not a URL at all: ignored, not an error (and no 500).
  for (const malformed of ['http://[', 'http://%zz', '//\\\\evil']) {
    const signin = await rawRequest(`${portalURL}/api/auth/signin?callbackUrl=${encodeURIComponent(malformed)}`);
    expect(signin.status, malformed).toBe(302);
    expect(signin.headers.location, malformed).not.toMatch(/error=/);
    expect((await rawRequest(`${portalURL}/login?callbackUrl=${encodeURIComponent(malformed)}`)).status, malformed).toBe(200);
  }
});

test.describe('on a server with low limits and a database of its own', () => {
  test.describe.configure({ mode: 'serial' });
  let guarded: Instance;
  let guardedDatabaseUrl: string;

  async function rows(sql: string): Promise<Record<string, unknown>[]> {
    if (postgres) {
      const client = new pg.Client({ connectionString: guardedDatabaseUrl });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    }
    const client = createClient({ url: `file:${path.resolve(guardedDatabaseUrl.slice('file:'.length))}` });
    try {
      return (await client.execute(sql)).rows as unknown as Record<string, unknown>[];
    } finally {
      client.close();
    }
  }

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    if (postgres) {
      guardedDatabaseUrl = await createDatabase(databaseUrl(sharedEnv.DATABASE_URL!, 'postgres'), 'e2e_guarded');
    } else {
      fs.rmSync(path.resolve('.test-data', `e2e-${provider}`, 'guarded'), { recursive: true, force: true });
      guardedDatabaseUrl = `file:.test-data/e2e-${provider}/guarded/portal.db`;
    }
    guarded = await startInstance(
      'guarded',
      { portal: portalPort + 5, runtime: runtimePort + 5 },
      { DATABASE_URL: guardedDatabaseUrl, SIGNUP_LIMIT_PER_HOUR: '2', SIGNIN_LIMIT_PER_MINUTE: '4', API_AUTH_FAILURES_PER_MINUTE: '5' },
    );
  });
  test.afterAll(async () => {
    await guarded?.stop();
  });

  test('a forged X-Forwarded-For neither reaches the audit trail nor gets around the management API limit', async ({ page }) => {
    // Every request from this browser claims to come from elsewhere.
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': '6.6.6.6' });
    await page.goto(`${guarded.portalURL}/signup`);
    await page.getByLabel('Name').fill('Fern');
    await page.getByLabel('Email').fill(`fern-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
    const org = new URL(page.url()).pathname.split('/')[1]!;
    await page.goto(`${guarded.portalURL}/${org}/new`);
    await page.getByLabel('App name').fill('forged-app');
    await page.getByRole('button', { name: 'Create app' }).click();
    await expect(page.getByRole('heading', { name: 'forged-app' })).toBeVisible();

    await page.goto(`${guarded.portalURL}/settings/tokens`);
    await page.getByLabel('Name').fill('rotate');
    await page.getByRole('radio', { name: /apps:write/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    const token = await page.getByRole('region', { name: 'New token' }).getByLabel('New token').inputValue();
    const apps = await (await fetch(`${guarded.portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '6.6.6.6' } })).json();
    const appId = apps.apps[0].id as number;
    const regenerated = await fetch(`${guarded.portalURL}/v1/apps/${appId}/api-keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Forwarded-For': '6.6.6.7' },
      body: JSON.stringify({ key_number: 1 }),
    });
    expect(regenerated.status).toBe(200);
    const { api_key: key } = (await regenerated.json()) as { api_key: string };
    expect((await query(guarded.runtimeURL, key)).status).toBe(200);

    // The audit trail has the connection's address, never the forged ones.
    const events = await rows(`SELECT action, ip FROM "AuditEvent" ORDER BY "createdAt"`);
    expect(events.map((event) => event.action)).toEqual(expect.arrayContaining(['app.created', 'token.created', 'api_key.regenerated']));
    for (const event of events) expect(event.ip).toBe('127.0.0.1');

    // Rotating X-Forwarded-For does not reset the failed-authentication limit (5 a minute here)...
    for (let i = 0; i < 5; i++) {
      const failed = await fetch(`${guarded.portalURL}/v1/apps`, { headers: { Authorization: 'Bearer spt_wrong', 'X-Forwarded-For': `198.51.100.${i}` } });
      expect(failed.status).toBe(401);
    }
    const blocked = await fetch(`${guarded.portalURL}/v1/apps`, { headers: { Authorization: 'Bearer spt_wrong', 'X-Forwarded-For': '198.51.100.99' } });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // ...while a valid token from the same connection is still answered (only failures are limited).
    const valid = await fetch(`${guarded.portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}`, 'X-Forwarded-For': '198.51.100.99' } });
    expect(valid.status).toBe(200);
  });

  test('the servers create their files for their owner only: files 0600, folders 0700', async () => {
    const modes = (dir: string) =>
      fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((name) => [name, fs.statSync(path.join(dir, name)).mode & 0o777] as const);
    // The runtime's folder and the app database it made on the first query.
    const runtimeDir = path.resolve('.test-data', `e2e-${provider}`, 'runtime-guarded');
    expect(fs.statSync(runtimeDir).mode & 0o777).toBe(0o700);
    const runtimeFiles = modes(runtimeDir);
    expect(runtimeFiles.some(([name]) => name.endsWith('.duckdb'))).toBe(true);
    for (const [name, mode] of runtimeFiles) expect([name, mode]).toEqual([name, fs.statSync(path.join(runtimeDir, name)).isDirectory() ? 0o700 : 0o600]);
    if (!postgres) {
      const dataDir = path.resolve(path.dirname(guardedDatabaseUrl.slice('file:'.length)));
      expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
      const files = modes(dataDir);
      expect(files.map(([name]) => name)).toEqual(expect.arrayContaining(['portal.db', 'portal.db-wal']));
      for (const [name, mode] of files) expect([name, mode]).toEqual([name, 0o600]);
    }
  });

  test('sign-ups and sign-ins are limited per address, and the message says how long to wait', async ({ browser }) => {
    const page = await browser.newPage();
    // The first sign-up was the previous test's; a forged address does not earn more.
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': '203.0.113.1' });
    const signUpAs = async (name: string) => {
      await page.goto(`${guarded.portalURL}/signup`);
      await page.getByLabel('Name').fill(name);
      await page.getByLabel('Email').fill(`${name.toLowerCase()}-${Date.now()}@example.com`);
      await page.getByLabel('Password').fill('correct horse battery staple');
      await page.getByRole('button', { name: 'Create account' }).click();
    };
    await signUpAs('Gil');
    await expect(page.getByRole('heading', { name: 'Apps' })).toBeVisible();
    await page.context().clearCookies();
    await page.setExtraHTTPHeaders({ 'X-Forwarded-For': '203.0.113.2' });
    await signUpAs('Hope');
    await expect(page.locator('form').getByRole('alert')).toHaveText(/^Too many sign-ups from your network\. Try again in (60|59) minutes\.$/);

    // Sign-ins (the two sign-ups made two) are limited to 4 a minute from this address.
    await page.goto(`${guarded.portalURL}/login`);
    const alert = page.locator('form').getByRole('alert');
    let refusedAfter = -1;
    for (let i = 0; i < 4 && refusedAfter < 0; i++) {
      await page.getByLabel('Email').fill('gil@example.com');
      await page.getByLabel('Password').fill(`wrong-${i}`);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await expect(alert).toHaveText(/^(Invalid email or password\.|Too many sign-in attempts from your network\. Try again in \d+ seconds\.)$/);
      if ((await alert.textContent())!.startsWith('Too many')) refusedAfter = i;
      await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
    }
    expect(refusedAfter).toBeGreaterThanOrEqual(0);
    await page.close();
  });
});
