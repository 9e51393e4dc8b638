// Plain SQL on the browser tests' shared database, for what no page can do in a test's time:
// make a session look as if its user signed in long ago, without waiting.
import { createHash, randomBytes } from 'node:crypto';
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

/**
 * What GitHub's sign-in callback leaves for an account with two-factor authentication (the
 * callback itself is tested in tests/integration/github-second-step.test.ts): a pending sign-in
 * ticket, stored as its digest. Returns the ticket, for the browser's second-step cookie.
 */
export async function pendingSignInTicket(email: string): Promise<string> {
  const ticket = randomBytes(32).toString('base64url');
  const digest = createHash('sha256').update(ticket, 'utf8').digest('hex');
  await e2eSql(
    `INSERT INTO "SignInTicket" ("digest", "userId", "attempts", "expiresAt", "createdAt") SELECT '${digest}', "id", 0, ${sqlTime(new Date(Date.now() + 5 * 60_000))}, ${sqlTime(new Date())} FROM "User" WHERE "email" = '${email.replace(/'/g, "''")}'`,
  );
  return ticket;
}
