// A fresh, empty database for a test: a SQLite file in a temporary folder, or, when
// TEST_DATABASE=postgresql, a new database on the cluster at TEST_POSTGRES_URL.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createDatabase, dropDatabase } from '../../scripts/support/postgres-admin';

export const testProvider: 'sqlite' | 'postgresql' = process.env.TEST_DATABASE === 'postgresql' ? 'postgresql' : 'sqlite';

export async function createTestDatabase(label = 'test'): Promise<{ url: string; drop: () => Promise<void> }> {
  if (testProvider === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `portal-${label}-`));
    return { url: `file:${path.join(dir, 'portal.db')}`, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  }
  const admin = process.env.TEST_POSTGRES_URL;
  if (!admin) throw new Error('TEST_DATABASE=postgresql needs TEST_POSTGRES_URL (a superuser URL of a throwaway cluster).');
  const name = `${label.replace(/[^a-z0-9]/g, '_')}_${process.pid}_${randomBytes(4).toString('hex')}`;
  return { url: await createDatabase(admin, name), drop: () => dropDatabase(admin, name) };
}
