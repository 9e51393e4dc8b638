// GitHub sign-in for an account with two-factor authentication: GitHub's callback creates no
// session but a single-use ticket in a cookie of the sign-in page's path, and a redirect to its
// second step; the ticket with a code then signs in through the Credentials provider, as after a
// password. There is no GitHub in tests: the callback next-auth calls is called as it would be.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { authOptions } from '@/lib/auth/options';
import { pendingSecondStep, SECOND_STEP_COOKIE } from '@/lib/auth/second-step-cookie';
import { SIGN_IN_TICKET } from '@/lib/auth/sign-in';
import { createUserWithOrg } from '@/lib/auth/accounts';
import { request, signOut } from './request';
import { enrolledUser, otherCode } from './two-factor-fixtures';

const WRONG = "That code didn't work. Try again or use a recovery code.";
const EXPIRED = 'Your sign-in expired. Enter your email and password again.';

const viaGitHub = (user: { email: string }, githubId: string) =>
  authOptions().callbacks!.signIn!({
    user: { id: githubId, email: user.email, name: 'From GitHub' },
    account: { provider: 'github', providerAccountId: githubId, type: 'oauth' },
    profile: { name: 'From GitHub' },
  });

/** The Credentials provider's authorize, as next-auth's credentials callback runs it. */
const viaCredentials = async (credentials: Record<string, string>) => {
  const provider = authOptions().providers[0] as unknown as { options: { authorize: (c: Record<string, string>, req: unknown) => Promise<unknown> } };
  try {
    return await provider.options.authorize(credentials, { headers: { 'user-agent': 'vitest' } });
  } catch (error) {
    return (error as Error).message;
  }
};

const openSessions = (userId: string) => db.userSession.count({ where: { userId, endedAt: null } });

/** An account with two-factor authentication on, linked to a GitHub user, and a browser that has no session yet. */
async function enrolledWithGitHub(name: string) {
  const enrolled = await enrolledUser(name);
  const githubId = `gh-${name}-${Date.now()}`;
  await db.user.update({ where: { id: enrolled.user.id }, data: { githubId } });
  signOut();
  return { ...enrolled, githubId };
}

beforeEach(() => signOut());

describe('GitHub sign-in with two-factor authentication', () => {
  it('goes on to the second step with a ticket in a cookie, no session, and the page the visitor asked for', async () => {
    const { user, secret, githubId } = await enrolledWithGitHub('Gus');
    const sessionsBefore = await openSessions(user.id);
    request.cookies.set('next-auth.callback-url', 'http://localhost:3000/settings/tokens?tab=all');

    const answer = await viaGitHub(user, githubId);
    expect(answer).toBe(`/login?${new URLSearchParams({ step: 'second-factor', callbackUrl: '/settings/tokens?tab=all' })}`);
    const ticket = request.cookies.get(SECOND_STEP_COOKIE)!;
    expect(ticket).toMatch(/^[\w-]{43}$/);
    expect(answer).not.toContain(ticket);
    expect(await openSessions(user.id)).toBe(sessionsBefore);
    // The sign-in page finds the step; the ticket alone is not a sign-in.
    expect(await pendingSecondStep()).toEqual({ ticket, factors: { totp: true, passkeys: false } });
    expect(await viaCredentials({ ticket })).toBe(WRONG);

    // A wrong code is refused and keeps the step; a current one signs in, once.
    const code = otherCode(secret, 0);
    expect(await viaCredentials({ ticket, code: code === '000000' ? '111111' : '000000' })).toBe(WRONG);
    expect(request.cookies.get(SECOND_STEP_COOKIE)).toBe(ticket);
    expect(await viaCredentials({ ticket, code })).toEqual({ id: user.id, name: user.name, email: user.email });
    // Used up: the cookie is cleared, and the page starts over.
    expect(request.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
    expect(await pendingSecondStep()).toBeNull();
    expect(await viaCredentials({ ticket, code: otherCode(secret, 1) })).toBe(EXPIRED);
  });

  it('takes a recovery code instead, and no callbackUrl means home', async () => {
    const { user, githubId, recoveryCodes } = await enrolledWithGitHub('Gwen');
    expect(await viaGitHub(user, githubId)).toBe('/login?step=second-factor');
    const ticket = request.cookies.get(SECOND_STEP_COOKIE)!;
    expect(await viaCredentials({ ticket, recoveryCode: recoveryCodes[0]! })).toMatchObject({ id: user.id });
  });

  it('refuses an expired ticket, and one out of wrong codes, with "Your sign-in expired"', async () => {
    const { user, secret, githubId } = await enrolledWithGitHub('Gia');
    const sessionsBefore = await openSessions(user.id);
    await viaGitHub(user, githubId);
    const late = request.cookies.get(SECOND_STEP_COOKIE)!;
    await db.signInTicket.updateMany({ data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await pendingSecondStep()).toBeNull();
    expect(await viaCredentials({ ticket: late, code: otherCode(secret, 0) })).toBe(EXPIRED);
    expect(request.cookies.has(SECOND_STEP_COOKIE)).toBe(false);

    await viaGitHub(user, githubId);
    const guessed = request.cookies.get(SECOND_STEP_COOKIE)!;
    expect(guessed).not.toBe(late);
    const wrong = otherCode(secret, 0) === '000000' ? '111111' : '000000';
    for (let i = 0; i < SIGN_IN_TICKET.maxAttempts; i++) expect(await viaCredentials({ ticket: guessed, code: wrong })).toBe(WRONG);
    expect(request.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
    expect(await viaCredentials({ ticket: guessed, code: otherCode(secret, 0) })).toBe(EXPIRED);
    expect(await openSessions(user.id)).toBe(sessionsBefore);
  });

  it('still signs an account without two-factor authentication in directly, and never one with another GitHub user', async () => {
    const email = `gh-plain-${Date.now()}@example.com`;
    await createUserWithOrg(db, { name: 'Gil', email, githubId: 'gh-plain' });
    expect(await viaGitHub({ email }, 'gh-plain')).toBe(true);
    expect(request.cookies.has(SECOND_STEP_COOKIE)).toBe(false);

    const { user } = await enrolledWithGitHub('Gene');
    expect(await viaGitHub(user, 'someone-else')).toBe(false);
    expect(request.cookies.has(SECOND_STEP_COOKIE)).toBe(false);
  });
});
