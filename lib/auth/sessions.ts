import { randomBytes } from 'node:crypto';
import type { Db, DbTx } from '../prisma';

/** How long a session lasts: next-auth's JWT and our row expire together. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** The session behind a cookie is gone: signed out, signed out everywhere, or the password changed. */
export class SessionEnded extends Error {
  constructor() {
    super('Session ended');
    this.name = 'SessionEnded';
  }
}

/** A new session row for a sign-in (which is an authentication: the step-up window starts); its id goes into the session cookie. */
export async function startSession(db: Db, userId: string, now = new Date()): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  // The user's expired rows go as a new one comes.
  await db.userSession.deleteMany({ where: { userId, expiresAt: { lt: now } } });
  await db.userSession.create({ data: { id, userId, authenticatedAt: now, expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000) } });
  return id;
}

/** The user has just proved who they are again in this session (lib/auth/step-up.ts). */
export async function markSessionAuthenticated(db: Db | DbTx, sessionId: string, now = new Date()): Promise<void> {
  await db.userSession.updateMany({ where: { id: sessionId }, data: { authenticatedAt: now } });
}

/** The user a session belongs to, read fresh from the database; null once the session has ended. */
export async function sessionUser(db: Db, sessionId: string, now = new Date()): Promise<{ id: string; name: string; email: string } | null> {
  const row = await db.userSession.findUnique({
    where: { id: sessionId },
    select: { expiresAt: true, user: { select: { id: true, name: true, email: true } } },
  });
  return row && row.expiresAt > now ? row.user : null;
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.userSession.deleteMany({ where: { id: sessionId } });
}

/** Ends every session of the user, except `keep` (the one changing the password stays signed in). */
export async function endUserSessions(db: Db | DbTx, userId: string, keep?: string): Promise<number> {
  const { count } = await db.userSession.deleteMany({ where: { userId, ...(keep ? { id: { not: keep } } : {}) } });
  return count;
}
