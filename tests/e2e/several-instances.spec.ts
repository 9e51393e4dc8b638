// Several instances (each a portal and a runtime, production builds, started through npm start's
// own script) on one database. These run after the other browser tests, one at a time: they start
// servers of their own and, in the crash test, flood the database with writes.
//
// 1. A key regenerated through instance A is rejected by instance B's runtime on the very next
//    request; a session made on A works on B.
//    An OAuth access token minted on A works on B; Regenerate secret and Delete on A stop it on B at once.
//    Webhook events are delivered once and in order while both instances' outbox workers run.
// 2. Crash safety: a storm of regenerations (management API) and queries (runtime) against one
//    instance, SIGKILL midway, restart. Nothing half-done survives: every app has exactly its two
//    keys, each current key works, no replaced key works, and the audit trail agrees with the keys.
import { createClient } from '@libsql/client';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { startReceiver } from '../support/webhook-receiver';
import { createApp, openGeneral, readKey, signUp } from './helpers';
import { flightQuery, query, startInstance, type Instance } from './instances';
import { portalPort, portalURL, postgres, runtimePort, runtimeURL, sharedEnv } from './servers';

test.describe.configure({ mode: 'serial' });

let b: Instance;
test.beforeAll(async () => {
  b = await startInstance('b', { portal: portalPort + 1, runtime: runtimePort + 1 });
});
test.afterAll(async () => {
  await b?.stop();
});

test('regenerating through A (portal and management API) cuts the old key off on B at once; sessions carry over', async ({ page }) => {
  test.setTimeout(120_000);
  const account = await signUp(page, 'Ines');
  await createApp(page, account.org, 'shared-app');
  await openGeneral(page);
  const oldKey1 = await readKey(page, 1);
  const key2 = await readKey(page, 2);

  // The session made on A works on B.
  await page.goto(`${b.portalURL}/${account.org}/shared-app/settings/general`);
  await expect(page.getByRole('heading', { name: 'General' })).toBeVisible();
  expect(await readKey(page, 1)).toBe(oldKey1);
  expect((await query(b.runtimeURL, oldKey1)).status).toBe(200);
  expect(await flightQuery(b.runtimeURL, oldKey1)).toBe('ok');

  // Regenerate key 1 in A's portal; B's runtime refuses the old key on the next request, on both doors.
  await page.goto(`${portalURL}/${account.org}/shared-app/settings/general`);
  await page.getByRole('button', { name: 'Regenerate API Key 1' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: 'Regenerate' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'API Key 1 regenerated' })).toBeVisible();
  const old = await query(b.runtimeURL, oldKey1);
  expect([old.status, await old.text()]).toEqual([401, 'Unauthorized']);
  expect(await flightQuery(b.runtimeURL, oldKey1)).toBe(16); // UNAUTHENTICATED
  const newKey1 = await readKey(page, 1);
  expect(await flightQuery(b.runtimeURL, newKey1)).toBe('ok');
  expect((await query(b.runtimeURL, newKey1)).status).toBe(200);
  expect((await query(runtimeURL, newKey1)).status).toBe(200);
  expect((await query(b.runtimeURL, key2)).status).toBe(200);

  // The same through A's management API, with a token made on B's portal.
  await page.goto(`${b.portalURL}/settings/tokens`);
  await page.getByLabel('Name').fill('rotate');
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByRole('region', { name: 'New token' }).getByLabel('New token').inputValue();
  const apps = await (await fetch(`${portalURL}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).json();
  const appId = apps.apps.find((app: { name: string }) => app.name === 'shared-app').id;
  const rotated = await fetch(`${portalURL}/v1/apps/${appId}/api-keys`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ key_number: 2 }),
  });
  expect(rotated.status).toBe(200);
  const body = await rotated.json();
  expect((await query(b.runtimeURL, key2)).status).toBe(401);
  expect((await query(b.runtimeURL, body.api_key_2)).status).toBe(200);
  expect((await query(b.runtimeURL, newKey1)).status).toBe(200);
});

test("an OAuth access token minted on A works on B, and A's Regenerate secret stops it on B at once", async ({ page }) => {
  test.setTimeout(120_000);
  const account = await signUp(page, 'Oren');
  await createApp(page, account.org, 'oauth-shared');
  await page.goto(`/${account.org}/settings/oauth-clients`);
  await page.getByLabel('Name').fill('ci-rotate');
  await page.getByRole('button', { name: 'Create client' }).click();
  const panel = page.getByRole('region', { name: 'New client secret' });
  const clientId = await panel.getByLabel('Client id').inputValue();
  const secret = await panel.getByLabel('Client secret').inputValue();
  const minted = await fetch(`${portalURL}/api/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${btoa(`${clientId}:${secret}`)}` },
    body: 'grant_type=client_credentials',
  });
  expect(minted.status).toBe(200);
  const auth = { Authorization: `Bearer ${(await minted.json()).access_token}` };
  expect((await fetch(`${b.portalURL}/v1/apps`, { headers: auth })).status).toBe(200);

  await page.getByRole('button', { name: 'Regenerate secret of ci-rotate' }).click();
  const dialog = page.getByRole('alertdialog', { name: 'Regenerate the secret of ci-rotate?' });
  await dialog.getByLabel(`Type ${clientId} to confirm`).fill(clientId);
  await dialog.getByRole('button', { name: 'Regenerate secret' }).click();
  const shown = page.getByRole('dialog', { name: 'New secret for ci-rotate' });
  const newSecret = await shown.getByRole('textbox', { name: 'Client secret' }).inputValue();
  const refused = await fetch(`${b.portalURL}/v1/apps`, { headers: auth });
  expect([refused.status, await refused.json()]).toEqual([401, { error: 'Invalid token', code: 'unauthorized' }]);
  await shown.getByRole('button', { name: 'Done' }).click();

  // A token minted on B with the new secret works on A; Delete on A stops it on B at once.
  const again = await fetch(`${b.portalURL}/api/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: newSecret }),
  });
  const auth2 = { Authorization: `Bearer ${(await again.json()).access_token}` };
  expect((await fetch(`${portalURL}/v1/apps`, { headers: auth2 })).status).toBe(200);
  await page.getByRole('button', { name: 'Delete ci-rotate' }).click();
  await page.getByRole('alertdialog', { name: 'Delete ci-rotate?' }).getByRole('button', { name: 'Delete client' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Deleted ci-rotate' })).toBeVisible();
  expect((await fetch(`${b.portalURL}/v1/apps`, { headers: auth2 })).status).toBe(401);
});

test('with two instances, each webhook event is delivered once, in order', async ({ page }) => {
  test.setTimeout(120_000);
  const receiver = await startReceiver();
  try {
    const account = await signUp(page, 'Hugo');
    await createApp(page, account.org, 'hooked-app');
    await page.goto(`/${account.org}/settings/webhooks`);
    await page.getByLabel('URL').fill(`${receiver.url}/hook`);
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByRole('region', { name: 'New signing secret' })).toBeVisible();
    await page.goto(`/${account.org}/settings/oauth-clients`);
    await page.getByLabel('Name').fill('hook-rotate');
    await page.getByRole('radio', { name: /^apps:write / }).check();
    await page.getByRole('button', { name: 'Create client' }).click();
    const panel = page.getByRole('region', { name: 'New client secret' });
    const client = { client_id: await panel.getByLabel('Client id').inputValue(), client_secret: await panel.getByLabel('Client secret').inputValue() };
    const minted = await fetch(`${portalURL}/api/oauth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', ...client }),
    });
    const auth = { Authorization: `Bearer ${(await minted.json()).access_token}`, 'Content-Type': 'application/json' };
    const apps = await (await fetch(`${portalURL}/v1/apps`, { headers: auth })).json();
    const appId = apps.apps.find((app: { name: string }) => app.name === 'hooked-app').id;

    // Six regenerations, through A and B in turn; both instances' outbox workers deliver.
    const slots = [1, 2, 1, 2, 1, 2];
    for (const [i, slot] of slots.entries()) {
      const portal = i % 2 === 0 ? portalURL : b.portalURL;
      const answer = await fetch(`${portal}/v1/apps/${appId}/api-keys`, { method: 'POST', headers: auth, body: JSON.stringify({ key_number: slot }) });
      expect(answer.status).toBe(200);
    }
    const regenerations = () => receiver.received.filter((entry) => JSON.parse(entry.body).type === 'api_key.regenerated');
    await expect.poll(() => regenerations().length, { timeout: 60_000 }).toBe(slots.length);
    // Both workers poll every 5 s: wait out a round of each, then nothing more may have come.
    await new Promise((resolve) => setTimeout(resolve, 11_000));
    const ids = receiver.received.map((entry) => entry.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);
    expect(regenerations().map((entry) => JSON.parse(entry.body).data.slot)).toEqual(slots);
  } finally {
    await receiver.close();
  }
});

type Slot = 1 | 2;
const PORTS = { portal: portalPort + 2, runtime: runtimePort + 2 };
// The storm sends hundreds of failures on purpose (replaced keys): no rate limit for this instance.
const UNLIMITED = { RUNTIME_AUTH_FAILURES_PER_MINUTE: '0', API_AUTH_FAILURES_PER_MINUTE: '0' };

async function sql(text: string): Promise<Record<string, unknown>[]> {
  if (postgres) {
    const client = new pg.Client({ connectionString: sharedEnv.DATABASE_URL });
    await client.connect();
    try {
      return (await client.query(text)).rows;
    } finally {
      await client.end();
    }
  }
  const client = createClient({ url: `file:${process.cwd()}/${sharedEnv.DATABASE_URL!.slice('file:'.length)}` });
  try {
    return (await client.execute(text)).rows as unknown as Record<string, unknown>[];
  } finally {
    client.close();
  }
}

const time = (value: unknown) => (value instanceof Date ? value.getTime() : new Date(String(value)).getTime());

test('SIGKILL in a storm of regenerations and queries leaves every key consistent', async ({ page }) => {
  test.setTimeout(240_000);
  const account = await signUp(page, 'Kit');
  await createApp(page, account.org, 'crash-one');
  await createApp(page, account.org, 'crash-two');
  await page.goto('/settings/tokens');
  await page.getByLabel('Name').fill('storm');
  await page.getByRole('radio', { name: /apps:write/ }).check();
  await page.getByRole('button', { name: 'Create token' }).click();
  const token = await page.getByRole('region', { name: 'New token' }).getByLabel('New token').inputValue();
  const auth = { Authorization: `Bearer ${token}` };

  let instance: Instance = await startInstance('c', PORTS, UNLIMITED);
  try {
    const listed = await (await fetch(`${instance.portalURL}/v1/apps`, { headers: auth })).json();
    const appIds: number[] = listed.apps.filter((a: { name: string }) => a.name.startsWith('crash-')).map((a: { id: number }) => a.id);
    expect(appIds).toHaveLength(2);
    const known = new Set<string>();
    const latest = new Map<string, string>();
    for (const id of appIds) {
      const keys = await (await fetch(`${instance.portalURL}/v1/apps/${id}/api-keys`, { headers: auth })).json();
      for (const [slot, key] of [
        [1, keys.api_key],
        [2, keys.api_key_2],
      ] as const) {
        known.add(key);
        latest.set(`${id}:${slot}`, key);
      }
    }

    const sent = new Map<string, number>();
    const confirmed = new Map<string, number>();
    const bump = (map: Map<string, number>, k: string) => map.set(k, (map.get(k) ?? 0) + 1);
    let stopped = false;
    let queries = 0;

    const regenerations = async (worker: number) => {
      for (let i = 0; i < 400 && !stopped; i++) {
        const appId = appIds[(worker + i) % appIds.length]!;
        const keyNumber = [1, 2, 0][(worker * 7 + i) % 3]!;
        const slots: Slot[] = keyNumber === 0 ? [1, 2] : [keyNumber as Slot];
        for (const slot of slots) bump(sent, `${appId}:${slot}`);
        try {
          const res = await fetch(`${instance.portalURL}/v1/apps/${appId}/api-keys`, {
            method: 'POST',
            headers: { ...auth, 'Content-Type': 'application/json' },
            body: JSON.stringify({ key_number: keyNumber }),
          });
          if (res.status !== 200) continue;
          const body = await res.json();
          for (const slot of slots) {
            const key = slot === 1 ? body.api_key : body.api_key_2;
            bump(confirmed, `${appId}:${slot}`);
            known.add(key);
            latest.set(`${appId}:${slot}`, key);
          }
        } catch {
          return; // the server is gone
        }
      }
    };
    const readers = async () => {
      for (let i = 0; i < 2000 && !stopped; i++) {
        const keys = [...latest.values()];
        try {
          await query(instance.runtimeURL, keys[i % keys.length]!);
          queries += 1;
        } catch {
          return;
        }
      }
    };

    const storm = [0, 1, 2, 3].map(regenerations).concat([0, 1, 2].map(readers));
    const confirmedTotal = () => [...confirmed.values()].reduce((a, b) => a + b, 0);
    // SIGKILL midway: once the storm is under way (regenerations confirmed, queries answered),
    // with requests of both kinds in flight.
    await expect.poll(() => confirmedTotal() > 5 && queries > 5, { message: 'the storm is under way', timeout: 60_000 }).toBe(true);
    await instance.kill();
    stopped = true;
    await Promise.all(storm);

    instance = await startInstance('c', PORTS, UNLIMITED);

    // Every app has exactly two keys, and each current key works.
    const ids = appIds.join(',');
    const counts = await sql(`SELECT "appId", COUNT(*) AS n FROM "ApiKey" WHERE "appId" IN (${ids}) GROUP BY "appId"`);
    expect(counts.map((row) => Number(row.n))).toEqual([2, 2]);
    const current = new Set<string>();
    for (const id of appIds) {
      const keys = await (await fetch(`${instance.portalURL}/v1/apps/${id}/api-keys`, { headers: auth })).json();
      for (const key of [keys.api_key, keys.api_key_2]) {
        current.add(key);
        expect((await query(instance.runtimeURL, key)).status).toBe(200);
      }
    }
    // No replaced key works.
    const replaced = [...known].filter((key) => !current.has(key));
    expect(replaced.length).toBeGreaterThan(confirmedTotal() / 2);
    for (const key of replaced) expect((await query(instance.runtimeURL, key)).status).toBe(401);

    // The audit trail equals the committed regenerations: at least every confirmed one, at most
    // every one sent, and each slot's latest event is the one written with its current key.
    const audit = await sql(
      `SELECT "appId", "slot", COUNT(*) AS n, MAX("createdAt") AS latest FROM "AuditEvent"
        WHERE "action" = 'api_key.regenerated' AND "appId" IN (${ids}) GROUP BY "appId", "slot"`,
    );
    const keyRows = await sql(`SELECT "appId", "slot", "createdAt" FROM "ApiKey" WHERE "appId" IN (${ids})`);
    for (const id of appIds) {
      for (const slot of [1, 2] as const) {
        const event = audit.find((row) => Number(row.appId) === id && Number(row.slot) === slot);
        const k = `${id}:${slot}`;
        const n = Number(event?.n ?? 0);
        expect(n, `${k} audit events`).toBeGreaterThanOrEqual(confirmed.get(k) ?? 0);
        expect(n, `${k} audit events`).toBeLessThanOrEqual(sent.get(k) ?? 0);
        if (n > 0) {
          const key = keyRows.find((row) => Number(row.appId) === id && Number(row.slot) === slot)!;
          expect(time(event!.latest), `${k} latest event is the current key's`).toBe(time(key.createdAt));
        }
      }
    }
  } finally {
    await instance.stop();
  }
});
