import { createHash, randomBytes } from 'node:crypto';
import type { Db, DbTx } from '../prisma';
import { logUnexpected } from '../shared/errors';
import type { SignedOutReason } from './messages';

/** How long a session lasts: next-auth's JWT and our row expire together. */
export const SESSION_MAX_AGE_SECONDS = 7 * 24 * 60 * 60;

/** How long a session's row stays after it expired: the history isNewSignInContext reads. */
export const SESSION_HISTORY_DAYS = 30;

/** A session's last seen time is written at most this often. */
export const LAST_SEEN_INTERVAL_MS = 60_000;

/** Where a sign-in came from: its User-Agent and client address (lib/shared/http/client-address.ts). */
export type SignInContext = { userAgent?: string | null; address?: string | null };

/** Why a session ended: a reason the browser holding it is told (messages.ts), or its own sign-out. */
export type EndedReason = SignedOutReason | 'signed-out';

/** The session behind a cookie is gone: signed out, signed out everywhere, or the password changed. */
export class SessionEnded extends Error {
  constructor() {
    super('Session ended');
    this.name = 'SessionEnded';
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A session that may still be used: not ended and not expired. */
const live = (now: Date) => ({ endedAt: null, expiresAt: { gt: now } });

/** A new session row for a sign-in (which is an authentication: the step-up window starts); its id goes into the session cookie. */
export async function startSession(db: Db, userId: string, context: SignInContext = {}, now = new Date()): Promise<string> {
  const id = randomBytes(24).toString('base64url');
  // The user's rows that expired long enough ago go as a new one comes.
  await db.userSession.deleteMany({ where: { userId, expiresAt: { lt: new Date(now.getTime() - SESSION_HISTORY_DAYS * DAY_MS) } } });
  await db.userSession.create({
    data: {
      id,
      userId,
      authenticatedAt: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000),
      userAgent: context.userAgent?.slice(0, 500) || null,
      address: context.address && context.address !== 'unknown' ? context.address : null,
      lastSeenAt: now,
    },
  });
  return id;
}

/** The user has just proved who they are again in this session (lib/auth/step-up.ts). */
export async function markSessionAuthenticated(db: Db | DbTx, sessionId: string, now = new Date()): Promise<void> {
  await db.userSession.updateMany({ where: { id: sessionId }, data: { authenticatedAt: now } });
}

/**
 * The user a session belongs to, read fresh from the database; null once the session has ended
 * or expired. Notes the session as seen, at most once a minute, without waiting for the write.
 */
export async function sessionUser(db: Db, sessionId: string, now = new Date()): Promise<{ id: string; name: string; email: string } | null> {
  const row = await db.userSession.findUnique({
    where: { id: sessionId },
    select: { expiresAt: true, endedAt: true, lastSeenAt: true, user: { select: { id: true, name: true, email: true } } },
  });
  if (!row || row.endedAt || row.expiresAt <= now) return null;
  const stale = new Date(now.getTime() - LAST_SEEN_INTERVAL_MS);
  if (!row.lastSeenAt || row.lastSeenAt < stale) {
    // Off the request's path; the condition lets one of several requests at once write it.
    void db.userSession
      .updateMany({ where: { id: sessionId, endedAt: null, OR: [{ lastSeenAt: null }, { lastSeenAt: { lt: stale } }] }, data: { lastSeenAt: now } })
      .catch((error: unknown) => logUnexpected('session last seen', error));
  }
  return row.user;
}

/** Ends this browser's own session (it signed out): its cookie is refused from now on. */
export async function endSession(db: Db, sessionId: string, now = new Date()): Promise<void> {
  await db.userSession.updateMany({ where: { id: sessionId, endedAt: null }, data: { endedAt: now, endedReason: 'signed-out' satisfies EndedReason } });
}

/**
 * Ends every current session of the user, except `keep` (the one changing the password stays
 * signed in); each browser holding one is told `reason` on its next page. Returns how many ended.
 */
export async function endUserSessions(db: Db | DbTx, userId: string, keep?: string, reason: SignedOutReason = 'signed-out-everywhere'): Promise<number> {
  const now = new Date();
  const { count } = await db.userSession.updateMany({
    where: { userId, ...live(now), ...(keep ? { id: { not: keep } } : {}) },
    data: { endedAt: now, endedReason: reason },
  });
  return count;
}

/**
 * The name a page may show for a session: a digest of its id. The id itself never leaves the
 * server outside the encrypted cookie (with NEXTAUTH_SECRET, an id is all a forged cookie needs).
 */
export function sessionHandle(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('base64url').slice(0, 22);
}

/** The id of the user's current session with this handle, or null. */
export async function findUserSession(db: Db | DbTx, userId: string, handle: string, now = new Date()): Promise<string | null> {
  const rows = await db.userSession.findMany({ where: { userId, ...live(now) }, select: { id: true } });
  return rows.find((row) => sessionHandle(row.id) === handle)?.id ?? null;
}

/** Ends one current session of the user's (Account → Sessions); false when it has already ended. */
export async function endUserSession(db: Db | DbTx, userId: string, sessionId: string, reason: SignedOutReason = 'signed-out-remotely'): Promise<boolean> {
  const now = new Date();
  const { count } = await db.userSession.updateMany({ where: { id: sessionId, userId, ...live(now) }, data: { endedAt: now, endedReason: reason } });
  return count === 1;
}

/** Why a session was ended from elsewhere, for the sign-in page; null when it was not (or is unknown). */
export async function endedSessionReason(db: Db, sessionId: string): Promise<SignedOutReason | null> {
  const row = await db.userSession.findUnique({ where: { id: sessionId }, select: { endedAt: true, endedReason: true } });
  if (!row?.endedAt || !row.endedReason || row.endedReason === 'signed-out') return null;
  return row.endedReason as SignedOutReason;
}

export type SessionSummary = { handle: string; userAgent: string | null; address: string | null; createdAt: Date; lastSeenAt: Date | null };

/** The user's current sessions, most recently seen first, each named by its handle. */
export async function listUserSessions(db: Db, userId: string, now = new Date()): Promise<SessionSummary[]> {
  const rows = await db.userSession.findMany({
    where: { userId, ...live(now) },
    orderBy: [{ lastSeenAt: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }],
    select: { id: true, userAgent: true, address: true, createdAt: true, lastSeenAt: true },
  });
  return rows.map(({ id, ...row }) => ({ handle: sessionHandle(id), ...row }));
}

/**
 * Whether a sign-in comes from a browser or an address this user has not signed in from: no
 * earlier session (current, ended or expired within SESSION_HISTORY_DAYS) had this User-Agent
 * from this address. Either one new is enough: a User-Agent is shared by millions of browsers,
 * so someone with a stolen password on a common browser still shows as a new address. The
 * user's first session ever is not new (nothing to compare with: it is the sign-up). `except`
 * leaves out the session just started for this sign-in.
 */
export async function isNewSignInContext(
  db: Db | DbTx,
  userId: string,
  userAgent: string | null | undefined,
  address: string | null | undefined,
  except?: string,
): Promise<boolean> {
  const others = { userId, ...(except ? { id: { not: except } } : {}) };
  const same = { userAgent: userAgent ? userAgent.slice(0, 500) : null, address: address && address !== 'unknown' ? address : null };
  if ((await db.userSession.count({ where: { ...others, ...same } })) > 0) return false;
  return (await db.userSession.count({ where: others })) > 0;
}
