// Each integration test file gets a fresh database (a SQLite file, or a PostgreSQL database when
// TEST_DATABASE=postgresql), migrated by the real runner, and its own secrets. Next.js's request
// context (cookies, headers, revalidation) does not exist outside a request, so the test
// supplies it: the session cookie is a real next-auth JWT.
import { randomBytes } from 'node:crypto';
import { afterAll, vi } from 'vitest';
import { migrate } from '@/lib/migrate';
import { createTestDatabase } from '../support/test-database';
import { currentRequest } from './request';

const database = await createTestDatabase('integration');
process.env.DATABASE_URL = database.url;
process.env.KEY_ENCRYPTION_KEY = randomBytes(32).toString('base64');
process.env.KEY_DIGEST_SECRET = randomBytes(32).toString('base64');
process.env.NEXTAUTH_SECRET = randomBytes(32).toString('base64');
process.env.PASSWORD_HASH_COST = '4';

await migrate(process.env.DATABASE_URL);

vi.mock('next/headers', () => ({
  headers: async () => new Headers([...currentRequest().headers]),
  cookies: async () => {
    const { cookies } = currentRequest();
    return {
      getAll: () => [...cookies].map(([name, value]) => ({ name, value })),
      get: (name: string) => (cookies.has(name) ? { name, value: cookies.get(name)! } : undefined),
      // As a response does: an empty value (or maxAge 0) removes the cookie.
      set: (name: string, value: string, options: { maxAge?: number } = {}) => {
        if (value === '' || options.maxAge === 0) cookies.delete(name);
        else cookies.set(name, value);
      },
    };
  },
}));
vi.mock('next/cache', () => ({ revalidatePath: () => undefined, revalidateTag: () => undefined }));

afterAll(async () => {
  const { db } = await import('@/lib/db');
  await db.$disconnect();
  await database.drop();
});
