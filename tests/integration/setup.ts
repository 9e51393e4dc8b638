// Each integration test file gets a fresh SQLite database file, migrated by the real runner,
// and its own secrets. Next.js's request context (cookies, headers, revalidation) does not
// exist outside a request, so the test supplies it: the session cookie is a real next-auth JWT.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, vi } from 'vitest';
import { migrate } from '@/lib/migrate';
import { request } from './request';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-test-'));
process.env.DATABASE_URL = `file:${path.join(dir, 'portal.db')}`;
process.env.KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
process.env.KEY_DIGEST_SECRET = randomBytes(32).toString('base64');
process.env.NEXTAUTH_SECRET = randomBytes(32).toString('base64');
process.env.BCRYPT_COST = '4';

await migrate(process.env.DATABASE_URL);

vi.mock('next/headers', () => ({
  headers: async () => new Headers([...request.headers]),
  cookies: async () => ({
    getAll: () => [...request.cookies].map(([name, value]) => ({ name, value })),
    get: (name: string) => (request.cookies.has(name) ? { name, value: request.cookies.get(name)! } : undefined),
  }),
}));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
