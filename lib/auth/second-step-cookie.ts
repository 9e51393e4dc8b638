import 'server-only';
import { cookies, headers } from 'next/headers';
import { safeCallbackUrl } from '../shared/http/requested-path';
import { SECOND_STEP_TTL_MS } from './messages';
import { db } from '../db';
import { liveSignInTicket, ticketUserId } from './sign-in';
import { secondFactors, type SecondFactors } from './two-factor';

/**
 * The second sign-in step after GitHub. GitHub's callback (a redirect, not a page) cannot hand the
 * sign-in page a ticket in memory, and a ticket never goes in a URL: it goes in this cookie instead
 * (httpOnly, SameSite=Lax, only sent to /login, gone with the ticket after 5 minutes). The sign-in
 * page reads it on the server and gives the ticket to the form, which passes the step as after a
 * password.
 */
export const SECOND_STEP_COOKIE = 'portal-second-step';
const COOKIE_PATH = '/login';

/** The sign-in page's second step, keeping the page the visitor was going to. */
export function secondStepUrl(callbackUrl: string): string {
  const query = new URLSearchParams({ step: 'second-factor', ...(callbackUrl === '/' ? {} : { callbackUrl }) });
  return `/login?${query}`;
}

/** Whether the browser talks to the portal over https (then next-auth's cookies, and this one, are Secure). */
async function overHttps(): Promise<boolean> {
  if (process.env.NEXTAUTH_URL?.startsWith('https://')) return true;
  return (await headers()).get('x-forwarded-proto') === 'https';
}

/**
 * From next-auth's route handler (the GitHub callback): keeps the ticket for the sign-in page and
 * answers where to send the browser. The path the visitor asked for comes from next-auth's own
 * callback-url cookie, reduced to a same-site path.
 */
export async function sendToSecondStep(ticket: string): Promise<string> {
  const jar = await cookies();
  const asked = jar.get('__Secure-next-auth.callback-url')?.value ?? jar.get('next-auth.callback-url')?.value;
  let callbackUrl = '/';
  try {
    if (asked) {
      const url = new URL(asked, 'http://portal.invalid');
      callbackUrl = safeCallbackUrl(`${url.pathname}${url.search}${url.hash}`);
    }
  } catch {
    // not a URL: home
  }
  jar.set(SECOND_STEP_COOKIE, ticket, {
    httpOnly: true,
    sameSite: 'lax',
    path: COOKIE_PATH,
    secure: await overHttps(),
    maxAge: SECOND_STEP_TTL_MS / 1000,
  });
  return secondStepUrl(callbackUrl);
}

/** For the sign-in page: the ticket of a pending second step after GitHub, while it can still be used. */
export async function pendingSecondStep(now = new Date()): Promise<{ ticket: string; factors: SecondFactors } | null> {
  const ticket = (await cookies()).get(SECOND_STEP_COOKIE)?.value;
  if (!ticket || !(await liveSignInTicket(ticket, now))) return null;
  // Which second factors the ticket's account has, for the form to offer (never who it is).
  return { ticket, factors: await secondFactors(db, await ticketUserId(ticket, now)) };
}

/**
 * After the Credentials provider has seen a ticket: once the ticket is used up, expired or out of
 * attempts, the cookie goes too (a wrong code leaves both, so that reloading the page keeps the step).
 * Never throws: the sign-in's answer is what matters.
 */
export async function settleSecondStep(ticket: string, now = new Date()): Promise<void> {
  try {
    if (await liveSignInTicket(ticket, now)) return;
    (await cookies()).set(SECOND_STEP_COOKIE, '', { httpOnly: true, sameSite: 'lax', path: COOKIE_PATH, maxAge: 0 });
  } catch {
    // outside a request: nothing to clear
  }
}
