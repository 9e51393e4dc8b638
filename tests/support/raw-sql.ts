// Plain SQL on a test database, whichever provider: for tests that look beneath Prisma.
import { createClient } from '@libsql/client';
import pg from 'pg';
import { testProvider } from './test-database';

/** Runs SQL on the database, returning rows. */
export async function connectRaw(url: string) {
  if (testProvider === 'postgresql') {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return { query: async (sql: string) => (await client.query(sql)).rows as Record<string, unknown>[], close: () => client.end() };
  }
  const client = createClient({ url });
  return { query: async (sql: string) => (await client.execute(sql)).rows as unknown as Record<string, unknown>[], close: async () => client.close() };
}
