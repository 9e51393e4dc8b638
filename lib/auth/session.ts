import 'server-only';
import { getServerSession } from 'next-auth/next';
import { cookies, headers } from 'next/headers';
import { db } from '../db';
import { authOptions } from './options';

export type CurrentUser = { id: string; name: string; email: string };

/**
 * The signed-in user, or null: next-auth's own session check (cookie name, JWT decryption,
 * expiry, our session callback) on this request's headers and cookies, then the user read from
 * the database (a deleted user has no session). Reading cookies makes every caller render per
 * request.
 */
export async function getCurrentUser(): Promise<CurrentUser | null> {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  const req = {
    headers: Object.fromEntries(requestHeaders),
    cookies: Object.fromEntries(requestCookies.getAll().map((cookie) => [cookie.name, cookie.value])),
  };
  // Only a session is read: nothing is written back on this path.
  const res = { getHeader: () => undefined, setCookie: () => undefined, setHeader: () => undefined };
  const session = await getServerSession(req as never, res as never, authOptions());
  const userId = session?.user?.id;
  if (!userId) return null;
  return db.user.findUnique({ where: { id: userId }, select: { id: true, name: true, email: true } });
}
