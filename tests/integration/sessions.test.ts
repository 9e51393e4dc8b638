// Account → Sessions: every signed-in session with its browser, system and address; signing out
// one or all the others; the reason a signed-out browser is told; and the audit events of
// session, password, sign-up and rotate-secrets changes.
import { randomBytes } from 'node:crypto';
import { decode } from 'next-auth/jwt';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { changePassword } from '@/lib/actions/change-password';
import { signOutEverywhere } from '@/lib/actions/sign-out-everywhere';
import { signOutOtherSessions } from '@/lib/actions/sign-out-other-sessions';
import { signOutSession } from '@/lib/actions/sign-out-session';
import { findOrgAccess } from '@/lib/auth/access';
import { getCurrentUser, signedOutReason } from '@/lib/auth/session';
import { isNewSignInContext, LAST_SEEN_INTERVAL_MS, listUserSessions, sessionHandle } from '@/lib/auth/sessions';
import { describeUserAgent } from '@/lib/auth/user-agent';
import { listAccountActivity, listActivity } from '@/lib/data/activity';
import { rotateKeySecrets } from '@/lib/data/rotate-secrets';
import { tokenFor } from './api-client';
import { newUser } from './fixtures';
import { request, sessionCookie, signOut } from './request';

const CHROME_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const SAFARI_IPHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1';
const FIREFOX_MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0';

beforeEach(() => signOut());

function presentCookie(cookie: string) {
  request.cookies.set('next-auth.session-token', cookie);
}

async function sessionIdOf(cookie: string): Promise<string> {
  const token = await decode({ token: cookie, secret: process.env.NEXTAUTH_SECRET! });
  return String(token!.sid);
}

/** The name the Sessions page gives the session behind a cookie. */
async function handleOf(cookie: string): Promise<string> {
  return sessionHandle(await sessionIdOf(cookie));
}

/** The user's audit events of no organization, oldest first, as stored. */
async function accountEvents(userId: string) {
  const rows = await db.auditEvent.findMany({ where: { orgId: null, subjectUserId: userId }, orderBy: { createdAt: 'asc' } });
  return rows.map((row) => ({ action: row.action, actorId: row.actorId, ip: row.ip, details: row.details ? JSON.parse(row.details) : null }));
}

/** A user signed in from three browsers: this one (Firefox on macOS), a Windows laptop and an iPhone. */
async function threeBrowsers(name: string) {
  const { user, org } = await newUser(name);
  const here = await sessionCookie(user, { userAgent: FIREFOX_MAC, address: '203.0.113.7' });
  const laptop = await sessionCookie(user, { userAgent: CHROME_WINDOWS, address: '198.51.100.4' });
  const phone = await sessionCookie(user, { userAgent: SAFARI_IPHONE, address: '192.0.2.55' });
  return { user, org, here, laptop, phone };
}

describe('the sessions list', () => {
  it('lists every current session with its browser, system, address and times, and no ended one', async () => {
    const { user, here, laptop, phone } = await threeBrowsers('Ada');
    presentCookie(laptop);
    expect((await signOutEverywhere({})).ok).toBe(true);
    await Promise.all([
      sessionCookie(user, { userAgent: FIREFOX_MAC, address: '203.0.113.7' }),
      sessionCookie(user, { userAgent: CHROME_WINDOWS, address: '198.51.100.4' }),
      sessionCookie(user, { userAgent: SAFARI_IPHONE, address: '192.0.2.55' }),
    ]);
    for (const cookie of [here, laptop, phone]) {
      presentCookie(cookie);
      expect(await getCurrentUser()).toBeNull();
    }

    const sessions = await listUserSessions(db, user.id);
    expect(sessions).toHaveLength(3);
    const described = sessions.map((s) => ({ ...describeUserAgent(s.userAgent), address: s.address })).sort((a, b) => a.browser.localeCompare(b.browser));
    expect(described).toEqual([
      { browser: 'Chrome 120', system: 'Windows 10', address: '198.51.100.4' },
      { browser: 'Firefox 121', system: 'macOS', address: '203.0.113.7' },
      { browser: 'Safari 17', system: 'iOS 17.1', address: '192.0.2.55' },
    ]);
    for (const session of sessions) {
      expect(Date.now() - session.createdAt.getTime()).toBeLessThan(60_000);
      expect(session.lastSeenAt).not.toBeNull();
    }
    expect(describeUserAgent('curl/8.0')).toEqual({ browser: 'Unknown browser', system: 'Unknown system' });
  });

  it('notes a session as seen at most once a minute', async () => {
    const { user } = await newUser('Bo');
    const cookie = await sessionCookie(user);
    const id = await sessionIdOf(cookie);
    const longAgo = new Date(Date.now() - 5 * LAST_SEEN_INTERVAL_MS);
    await db.userSession.update({ where: { id }, data: { lastSeenAt: longAgo } });
    presentCookie(cookie);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    // The write does not hold up the request: wait for it.
    await expect.poll(async () => (await db.userSession.findUniqueOrThrow({ where: { id } })).lastSeenAt!.getTime()).toBeGreaterThan(longAgo.getTime());
    const seen = (await db.userSession.findUniqueOrThrow({ where: { id } })).lastSeenAt!;
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await db.userSession.findUniqueOrThrow({ where: { id } })).lastSeenAt).toEqual(seen);
  });
});

describe('signing sessions out', () => {
  it('Sign out ends only that session: its cookie stops working and it is told why; this one and the others go on', async () => {
    const { user, here, laptop, phone } = await threeBrowsers('Cy');
    presentCookie(here);
    expect(await signOutSession({ session: await handleOf(laptop) })).toEqual({ ok: true, data: null });

    presentCookie(laptop);
    expect(await getCurrentUser()).toBeNull();
    expect(await signedOutReason()).toBe('signed-out-remotely');
    presentCookie(phone);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    expect(await signedOutReason()).toBeNull();
    presentCookie(here);
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    const listed = await listUserSessions(db, user.id);
    expect(listed.map((s) => s.userAgent).sort()).toEqual([FIREFOX_MAC, SAFARI_IPHONE].sort());
    // The list names sessions by handle: a session id (all a forged cookie would need) never reaches a page.
    for (const cookie of [here, phone]) expect(JSON.stringify(listed)).not.toContain(await sessionIdOf(cookie));

    // Once is enough; this session signs out with Sign out; another user's session is not found.
    expect(await signOutSession({ session: await handleOf(laptop) })).toEqual({ ok: false, error: 'That session has already ended.' });
    expect(await signOutSession({ session: await handleOf(here) })).toMatchObject({ ok: false, error: /Use Sign out in the user menu/ });
    const stranger = await newUser('Dee');
    const strangers = await sessionCookie(stranger.user);
    expect(await signOutSession({ session: await handleOf(strangers) })).toMatchObject({ ok: false, error: 'That session has already ended.' });
    presentCookie(strangers);
    expect(await getCurrentUser()).toMatchObject({ id: stranger.user.id });

    expect(await accountEvents(user.id)).toEqual([
      { action: 'session.signed_out', actorId: user.id, ip: '203.0.113.7', details: { session: 'Chrome 120 on Windows 10, 198.51.100.4' } },
    ]);
  });

  it('Sign out everywhere else keeps this session and ends the others, with one audit event', async () => {
    const { user, here, laptop, phone } = await threeBrowsers('Eli');
    presentCookie(here);
    expect(await signOutOtherSessions({})).toEqual({ ok: true, data: { ended: 2 } });
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    for (const cookie of [laptop, phone]) {
      presentCookie(cookie);
      expect(await getCurrentUser()).toBeNull();
      expect(await signedOutReason()).toBe('signed-out-remotely');
    }
    expect(await accountEvents(user.id)).toEqual([{ action: 'session.signed_out_others', actorId: user.id, ip: '203.0.113.7', details: { sessions: 2 } }]);
  });

  it('Sign out everywhere ends every session, this one included, and tells the others why', async () => {
    const { user, here, laptop } = await threeBrowsers('Fay');
    presentCookie(here);
    expect(await signOutEverywhere({})).toEqual({ ok: true, data: { ended: 3 } });
    expect(await getCurrentUser()).toBeNull();
    presentCookie(laptop);
    expect(await signedOutReason()).toBe('signed-out-everywhere');
    expect(await listUserSessions(db, user.id)).toEqual([]);
    expect(await accountEvents(user.id)).toEqual([{ action: 'session.signed_out_everywhere', actorId: user.id, ip: '203.0.113.7', details: { sessions: 3 } }]);
  });

  it('a password change ends the other sessions, which are told why, with its audit event', async () => {
    const { user, here, laptop, phone } = await threeBrowsers('Gus');
    presentCookie(here);
    expect(await changePassword({ currentPassword: 'correct horse battery', newPassword: 'a new long password' })).toEqual({
      ok: true,
      data: { otherSessionsEnded: 2 },
    });
    expect(await getCurrentUser()).toMatchObject({ id: user.id });
    for (const cookie of [laptop, phone]) {
      presentCookie(cookie);
      expect(await getCurrentUser()).toBeNull();
      expect(await signedOutReason()).toBe('password-changed');
    }
    expect(await accountEvents(user.id)).toEqual([{ action: 'password.changed', actorId: user.id, ip: '203.0.113.7', details: { sessions: 2 } }]);
    // A wrong current password changes nothing and records nothing.
    presentCookie(here);
    expect((await changePassword({ currentPassword: 'not it', newPassword: 'another long password' })).ok).toBe(false);
    expect(await accountEvents(user.id)).toHaveLength(1);
  });

  it('a cookie that never decoded, or a session that expired, gives no reason', async () => {
    const { user } = await newUser('Hal');
    presentCookie('not-a-jwt');
    expect(await signedOutReason()).toBeNull();
    const cookie = await sessionCookie(user);
    await db.userSession.update({ where: { id: await sessionIdOf(cookie) }, data: { expiresAt: new Date(Date.now() - 1000) } });
    presentCookie(cookie);
    expect(await getCurrentUser()).toBeNull();
    expect(await signedOutReason()).toBeNull();
  });
});

describe('a sign-in from a new browser or address', () => {
  it('is new when no earlier session had this browser from this address, and never for the first sign-in', async () => {
    const { user } = await newUser('Ivy');
    expect(await isNewSignInContext(db, user.id, CHROME_WINDOWS, '198.51.100.4')).toBe(false);
    const first = await sessionIdOf(await sessionCookie(user, { userAgent: CHROME_WINDOWS, address: '198.51.100.4' }));
    // The session just started for this sign-in does not count as an earlier one.
    expect(await isNewSignInContext(db, user.id, CHROME_WINDOWS, '198.51.100.4', first)).toBe(false);
    // A known browser from a new address, a new browser from a known address, both new.
    expect(await isNewSignInContext(db, user.id, CHROME_WINDOWS, '192.0.2.1')).toBe(true);
    expect(await isNewSignInContext(db, user.id, SAFARI_IPHONE, '198.51.100.4')).toBe(true);
    expect(await isNewSignInContext(db, user.id, SAFARI_IPHONE, '192.0.2.1')).toBe(true);
    // An ended session is still history.
    presentCookie(await sessionCookie(user, { userAgent: CHROME_WINDOWS, address: '198.51.100.4' }));
    await signOutEverywhere({});
    expect(await isNewSignInContext(db, user.id, CHROME_WINDOWS, '198.51.100.4')).toBe(false);
    // Another user's sessions are not this user's history.
    const other = await newUser('Jo');
    await sessionCookie(other.user, { userAgent: SAFARI_IPHONE, address: '192.0.2.1' });
    expect(await isNewSignInContext(db, user.id, SAFARI_IPHONE, '192.0.2.1')).toBe(true);
    expect(await isNewSignInContext(db, other.user.id, SAFARI_IPHONE, '192.0.2.1')).toBe(false);
  });
});

describe('audit events the last review found missing', () => {
  it('sign-up records the personal organization, with the address and browser', async () => {
    const { user, org } = await newUser('Kim');
    const events = await db.auditEvent.findMany({ where: { orgId: org.id } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ action: 'org.created', actorId: user.id, ip: '203.0.113.7', userAgent: 'vitest' });
    expect(JSON.parse(events[0]!.details!)).toEqual({ personal: true });
    const access = await findOrgAccess(user.id, { name: org.name });
    const { entries } = await listActivity(access!, { page: 1 });
    expect(entries).toMatchObject([{ action: 'org.created', actor: 'Kim', details: { personal: true } }]);
  });

  it('npm run rotate-secrets records each token it revokes, in its organization or on the account', async () => {
    const { user, org } = await newUser('Lou');
    await tokenFor(user, { org: org.name, scope: 'apps:read' });
    await tokenFor(user, { org: '*', scope: 'apps:read' });
    const tokens = await db.personalAccessToken.findMany({ where: { userId: user.id }, select: { id: true, orgId: true, name: true } });
    const before = await db.auditEvent.count({ where: { action: 'token.revoked' } });
    const current = serverEnv().keySecrets;
    const next = { encryptionKey: current.encryptionKey, digestSecret: randomBytes(32) };

    // Refused without --revoke-tokens: nothing revoked, nothing recorded.
    await expect(rotateKeySecrets(db, current, next, { revokeTokens: false })).rejects.toThrow(/--revoke-tokens/);
    expect(await db.auditEvent.count({ where: { action: 'token.revoked' } })).toBe(before);

    const result = await rotateKeySecrets(db, current, next, { revokeTokens: true });
    expect(result.tokensRevoked).toBeGreaterThanOrEqual(2);
    const revoked = await db.auditEvent.findMany({ where: { action: 'token.revoked', tokenId: { in: tokens.map((t) => t.id) } } });
    expect(revoked).toHaveLength(2);
    for (const event of revoked) {
      const token = tokens.find((t) => t.id === event.tokenId)!;
      expect(event).toMatchObject({ actorId: null, orgId: token.orgId, subjectUserId: user.id });
      expect(JSON.parse(event.details!)).toEqual({ reason: 'rotate-secrets' });
    }
    // The organization's token in its Activity; the all-organizations token in the account's.
    const access = await findOrgAccess(user.id, { name: org.name });
    const orgToken = tokens.find((t) => t.orgId === org.id)!;
    const allToken = tokens.find((t) => t.orgId === null)!;
    expect((await listActivity(access!, { page: 1 })).entries).toContainEqual(
      expect.objectContaining({ action: 'token.revoked', actor: null, token: orgToken.name, details: { reason: 'rotate-secrets' } }),
    );
    expect(await listAccountActivity(user)).toContainEqual(
      expect.objectContaining({ action: 'token.revoked', actor: null, token: allToken.name, subject: `Lou (${user.email})` }),
    );
    await rotateKeySecrets(db, next, current, { revokeTokens: false });
  });
});
