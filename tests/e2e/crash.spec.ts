// Crash safety: a storm of regenerations (management API) and queries (runtime) against one
// instance, SIGKILL midway, restart. Nothing half-done survives: every app has exactly its two
// keys, each current key works, no replaced key works, and the audit trail agrees with the keys.
import { createClient } from '@libsql/client';
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { createApp, signUp } from './helpers';
import { query, startInstance, type Instance } from './instances';
import { postgres, sharedEnv } from './servers';

type Slot = 1 | 2;
const PORTS = { portal: 3212, runtime: 8192 };
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
      for (const [slot, key] of [[1, keys.api_key], [2, keys.api_key_2]] as const) {
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
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await instance.kill();
    stopped = true;
    await Promise.all(storm);
    const confirmedTotal = [...confirmed.values()].reduce((a, b) => a + b, 0);
    expect(confirmedTotal).toBeGreaterThan(5);
    expect(queries).toBeGreaterThan(5);

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
    expect(replaced.length).toBeGreaterThan(confirmedTotal / 2);
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
