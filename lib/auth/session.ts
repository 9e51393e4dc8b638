import 'server-only';
import { getToken } from 'next-auth/jwt';
import { getServerSession } from 'next-auth/next';
import { cookies, headers } from 'next/headers';
import { db } from '../db';
import { serverEnv } from '../env';
import type { SignedOutReason } from './messages';
import { authOptions } from './options';
import { endedSessionReason } from './sessions';

export type CurrentUser = { id: string; name: string; email: string };

/**
 * The signed-in user and their session id, or null: next-auth's own session check (cookie,
 * JWT decryption, expiry) and our jwt callback, which refuses a cookie whose session row is
 * gone (signed out, signed out everywhere, password changed) and reads the user fresh from the
 * database (a deleted user has no session). Reading cookies makes every caller render per request.
 */
export async function getCurrentSession(): Promise<{ user: CurrentUser; sessionId: string } | null> {
  const req = await requestForNextAuth();
  // Only a session is read: nothing is written back on this path.
  const res = { getHeader: () => undefined, setCookie: () => undefined, setHeader: () => undefined };
  const session = await getServerSession(req as never, res as never, authOptions());
  const { id, name, email } = session?.user ?? {};
  if (!id || !email || !session?.sessionId) return null;
  return { user: { id, name: name ?? email, email }, sessionId: session.sessionId };
}

export async function getCurrentUser(): Promise<CurrentUser | null> {
  return (await getCurrentSession())?.user ?? null;
}

/** This request's headers and cookies, in the shape next-auth reads. */
async function requestForNextAuth() {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  return {
    headers: Object.fromEntries(requestHeaders),
    cookies: Object.fromEntries(requestCookies.getAll().map((cookie) => [cookie.name, cookie.value])),
  };
}

/**
 * Why this browser's session cookie stopped working, when its session was ended from elsewhere
 * (a password change, Sign out everywhere, Account → Sessions): the reason on the ended
 * session's row, found through the id in the cookie. Null for no cookie, a cookie that does not
 * decode, or a session that simply expired or signed out here.
 */
export async function signedOutReason(): Promise<SignedOutReason | null> {
  const req = await requestForNextAuth();
  const secret = serverEnv().nextAuthSecret;
  // The cookie's name depends on whether the portal is served over HTTPS: either may be present.
  for (const secureCookie of [false, true]) {
    const token = await getToken({ req: req as never, secret, secureCookie });
    if (typeof token?.sid === 'string') return endedSessionReason(db, token.sid);
  }
  return null;
}
