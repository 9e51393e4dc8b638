import 'server-only';
import { getServerSession } from 'next-auth/next';
import { cookies, headers } from 'next/headers';
import { authOptions } from './options';

export type CurrentUser = { id: string; name: string; email: string };

/**
 * The signed-in user and their session id, or null: next-auth's own session check (cookie,
 * JWT decryption, expiry) and our jwt callback, which refuses a cookie whose session row is
 * gone (signed out, signed out everywhere, password changed) and reads the user fresh from the
 * database (a deleted user has no session). Reading cookies makes every caller render per request.
 */
export async function getCurrentSession(): Promise<{ user: CurrentUser; sessionId: string } | null> {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  const req = {
    headers: Object.fromEntries(requestHeaders),
    cookies: Object.fromEntries(requestCookies.getAll().map((cookie) => [cookie.name, cookie.value])),
  };
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
