// Plain SQL on the browser tests' shared database, for what no page can do in a test's time:
// make a session look as if its user signed in long ago, without waiting.
import { connectRaw } from '../support/raw-sql';
import { postgres, sharedEnv } from './servers';

const databaseUrl = postgres ? sharedEnv.DATABASE_URL! : `file:${process.cwd()}/${sharedEnv.DATABASE_URL!.slice('file:'.length)}`;

/** Runs SQL on the shared database (waiting for the servers' writes on SQLite), returning rows. */
export async function e2eSql(text: string): Promise<Record<string, unknown>[]> {
  const raw = await connectRaw(databaseUrl);
  try {
    if (!postgres) await raw.query('PRAGMA busy_timeout = 5000');
    return await raw.query(text);
  } finally {
    await raw.close();
  }
}

/** A DateTime as Prisma stores it: ISO 8601 text on SQLite, TIMESTAMP(3) in UTC on PostgreSQL. */
function sqlTime(date: Date): string {
  const iso = date.toISOString();
  return postgres ? `'${iso.slice(0, -1)}'` : `'${iso.replace('Z', '+00:00')}'`;
}

/** Every session of the account counts as last authenticated at `at` (the step-up window starts there). */
export async function setLastAuthentication(email: string, at: Date): Promise<void> {
  await e2eSql(
    `UPDATE "UserSession" SET "authenticatedAt" = ${sqlTime(at)} WHERE "userId" = (SELECT "id" FROM "User" WHERE "email" = '${email.replace(/'/g, "''")}')`,
  );
}
