// The migrations that bring existing data under the name rules (app names, token names), run on
// a database that already holds rows that break them, as an upgraded installation would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, migrationsDir } from '@/lib/migrate';
import { NAME_MAX, NAME_MIN, NAME_PATTERN, RESERVED_APP_NAMES } from '@/lib/names';
import { connectRaw } from '../support/raw-sql';
import { createTestDatabase, testProvider } from '../support/test-database';

const FIRST_NEW = '20261126130000_app_names';
const AT = '2026-01-01T00:00:00.000+00:00';

/** A copy of the provider's migrations folder holding only those before the name migrations. */
function rootBefore(name: string): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-migrations-'));
  const target = migrationsDir(testProvider, root);
  fs.mkdirSync(target, { recursive: true });
  for (const entry of fs.readdirSync(migrationsDir(testProvider))) {
    if (entry.endsWith('.toml') || entry < name) fs.cpSync(path.join(migrationsDir(testProvider), entry), path.join(target, entry), { recursive: true });
  }
  return root;
}

const APPS: [id: number, org: string, name: string][] = [
  [1, 'o1', 'Taxi-Demo'],
  [2, 'o1', 'taxi-demo'],
  [3, 'o1', '-abc-'],
  [4, 'o1', 'Sales--Report'],
  [5, 'o1', 'Activity'],
  [6, 'o1', 'good-name'],
  [7, 'o1', 'x'],
  [8, 'o1', '---'],
  [9, 'o1', 'DATA'],
  [10, 'o1', 'data'],
  [11, 'o1', 'data-9'],
  [12, 'o2', 'Taxi-Demo'],
  [13, 'o2', 'A'.repeat(70)],
  [14, 'o2', 'Café_Trips 2026'],
];

const TOKENS: [id: string, user: string, name: string, createdAt: string, revoked: boolean][] = [
  ['t1', 'u1', 'ci-read', '2026-01-01T00:00:00.000+00:00', true],
  ['t2', 'u1', 'ci-read', '2026-01-02T00:00:00.000+00:00', false],
  ['t3', 'u1', 'ci-read', '2026-01-03T00:00:00.000+00:00', false],
  ['t4', 'u1', 'ci-read (2)', '2026-01-04T00:00:00.000+00:00', false],
  ['t5', 'u2', 'ci-read', '2026-01-01T00:00:00.000+00:00', false],
];

describe(`name migrations on existing data (${testProvider})`, () => {
  let url = '';
  let drop = async () => {};
  let db: Awaited<ReturnType<typeof connectRaw>>;

  beforeAll(async () => {
    const database = await createTestDatabase('names');
    ({ url, drop } = database);
    const before = rootBefore(FIRST_NEW);
    await migrate(url, before);
    fs.rmSync(before, { recursive: true, force: true });
    db = await connectRaw(url);
    for (const user of ['u1', 'u2']) {
      await db.query(`INSERT INTO "User" ("id", "name", "email", "createdAt") VALUES ('${user}', '${user}', '${user}@example.com', '${AT}')`);
    }
    for (const org of ['o1', 'o2']) await db.query(`INSERT INTO "Organization" ("id", "name", "createdAt") VALUES ('${org}', 'org-${org}', '${AT}')`);
    for (const [id, org, name] of APPS) {
      await db.query(`INSERT INTO "App" ("id", "orgId", "name", "createdAt") VALUES (${id}, '${org}', '${name}', '${AT}')`);
    }
    for (const [id, user, name, createdAt, revoked] of TOKENS) {
      await db.query(
        `INSERT INTO "PersonalAccessToken" ("id", "userId", "name", "scopes", "digest", "lastFour", "createdAt", "revokedAt")
         VALUES ('${id}', '${user}', '${name}', 'apps:read', 'digest-${id}', 'abcd', '${createdAt}', ${revoked ? `'${AT}'` : 'NULL'})`,
      );
    }
    // The rest of the migrations, from the real folder: as an upgrade applies them.
    const { applied } = await migrate(url);
    expect(applied).toContain(FIRST_NEW);
  });

  afterAll(async () => {
    await db?.close();
    await drop();
  });

  it('renames every app name that breaks the rules or collides by case, and keeps the rest', async () => {
    const rows = await db.query(`SELECT "id", "orgId", "name" FROM "App" ORDER BY "id"`);
    const names = Object.fromEntries(rows.map((row) => [Number(row.id), String(row.name)]));
    expect(names).toEqual({
      1: 'taxi-demo-1',
      2: 'taxi-demo',
      3: 'abc-app',
      4: 'sales-report',
      5: 'activity-app',
      6: 'good-name',
      7: 'x-app',
      8: 'app-8',
      9: 'data-renamed-9',
      10: 'data',
      11: 'data-9',
      12: 'taxi-demo',
      13: 'a'.repeat(63),
      14: 'caf-trips-2026',
    });
    for (const name of Object.values(names)) {
      expect(name).toMatch(NAME_PATTERN);
      expect(name.length).toBeGreaterThanOrEqual(NAME_MIN);
      expect(name.length).toBeLessThanOrEqual(NAME_MAX);
      expect(RESERVED_APP_NAMES.has(name)).toBe(false);
    }
  });

  it('records one app.renamed audit event per renamed app, with both names', async () => {
    const events = await db.query(
      `SELECT "orgId", "appId", "actorId", "details", "createdAt" FROM "AuditEvent" WHERE "action" = 'app.renamed' ORDER BY "appId"`,
    );
    const renamed = APPS.filter(([id]) => ![2, 6, 10, 11].includes(id));
    expect(events.map((event) => Number(event.appId))).toEqual(renamed.map(([id]) => id));
    for (const event of events) {
      const [, org, previousName] = APPS.find(([id]) => id === Number(event.appId))!;
      expect(event.orgId).toBe(org);
      expect(event.actorId).toBeNull();
      const details = JSON.parse(String(event.details)) as Record<string, string>;
      expect(details.previousName).toBe(previousName);
      const [current] = await db.query(`SELECT "name" FROM "App" WHERE "id" = ${Number(event.appId)}`);
      expect(details.name).toBe(current!.name);
      expect(details.reason).toBe('name-rules');
    }
    expect(await db.query(`SELECT 1 FROM "AuditEvent" WHERE "action" <> 'app.renamed'`)).toEqual([]);
  });

  it('renames duplicate token names of one user with a suffix, a current token keeping the name', async () => {
    const rows = await db.query(`SELECT "id", "name" FROM "PersonalAccessToken" ORDER BY "id"`);
    expect(Object.fromEntries(rows.map((row) => [row.id, row.name]))).toEqual({
      t1: 'ci-read (3)',
      t2: 'ci-read',
      t3: 'ci-read (t3)',
      t4: 'ci-read (2)',
      t5: 'ci-read',
    });
  });

  it('then refuses a second token of the same name for one user', async () => {
    await expect(
      db.query(
        `INSERT INTO "PersonalAccessToken" ("id", "userId", "name", "scopes", "digest", "lastFour", "createdAt") VALUES ('t6', 'u2', 'ci-read', 'apps:read', 'digest-t6', 'abcd', '${AT}')`,
      ),
    ).rejects.toThrow(/unique/i);
  });
});
