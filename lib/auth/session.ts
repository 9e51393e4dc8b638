import 'server-only';
import { getToken } from 'next-auth/jwt';
import { cookies, headers } from 'next/headers';
import { db } from '../db';
import { serverEnv } from '../env';

export type CurrentUser = { id: string; name: string; email: string };

type TokenRequest = Parameters<typeof getToken>[0]['req'];

/**
 * The signed-in user, or null: the next-auth session token from this request's cookies, decoded
 * with the session secret, and checked against the database (a deleted user has no session).
 * Reading cookies makes every caller render per request.
 */
export async function getCurrentUser(): Promise<CurrentUser | null> {
  const [requestHeaders, requestCookies] = await Promise.all([headers(), cookies()]);
  // getToken reads only `headers` and `cookies` from the request it is given.
  const req = {
    headers: Object.fromEntries(requestHeaders),
    cookies: Object.fromEntries(requestCookies.getAll().map((cookie) => [cookie.name, cookie.value])),
  } as unknown as TokenRequest;
  const secret = serverEnv().nextAuthSecret;
  // The cookie is __Secure- prefixed when the portal is served over HTTPS.
  const token =
    (await getToken({ req, secret, secureCookie: false })) ?? (await getToken({ req, secret, secureCookie: true }));
  if (!token?.sub) return null;
  return db.user.findUnique({ where: { id: token.sub }, select: { id: true, name: true, email: true } });
}
