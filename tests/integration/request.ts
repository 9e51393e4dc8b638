import { AsyncLocalStorage } from 'node:async_hooks';
import { encode } from 'next-auth/jwt';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';

type RequestContext = { cookies: Map<string, string>; headers: Map<string, string> };

/** The request the server code sees: its cookies and headers. */
export const request: RequestContext = {
  cookies: new Map<string, string>(),
  headers: new Map<string, string>([
    ['user-agent', 'vitest'],
    // The portal's server sets this from the connection (lib/shared/http/client-address.ts).
    [CLIENT_ADDRESS_HEADER, '203.0.113.7'],
  ]),
};

const concurrent = new AsyncLocalStorage<RequestContext>();

/** The request of the code running now: its own inside `actingAs`, else the shared one. */
export function currentRequest(): RequestContext {
  return concurrent.getStore() ?? request;
}

/** A real session: a UserSession row and the next-auth JWT naming it, as a sign-in (from `from`'s browser and address) makes. */
export async function sessionCookie(user: { id: string; name: string; email: string }, from: { userAgent?: string; address?: string } = {}): Promise<string> {
  const { db } = await import('@/lib/db');
  const { startSession } = await import('@/lib/auth/sessions');
  const sid = await startSession(db, user.id, from);
  return encode({ token: { sub: user.id, name: user.name, email: user.email, sid }, secret: process.env.NEXTAUTH_SECRET! });
}

/** Signs in as the user: a next-auth session cookie, encoded with the portal's secret. */
export async function signInAs(user: { id: string; name: string; email: string }): Promise<void> {
  request.cookies.set('next-auth.session-token', await sessionCookie(user));
}

/** Runs `fn` as a request of its own, signed in as the user: for several users acting at the same moment. */
export async function actingAs<T>(user: { id: string; name: string; email: string }, fn: () => Promise<T>): Promise<T> {
  const context = { cookies: new Map([['next-auth.session-token', await sessionCookie(user)]]), headers: new Map(request.headers) };
  return concurrent.run(context, fn);
}

export function signOut(): void {
  request.cookies.clear();
}
