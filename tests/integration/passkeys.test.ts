// Passkeys against the real database and the real WebAuthn verification: a software
// authenticator (tests/support/soft-authenticator.ts) answers the portal's challenges the way a
// browser's does, and also the ways a browser never would (another origin, a replay, a counter
// that went back).
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { addPasskey } from '@/lib/actions/add-passkey';
import { beginPasskeyCheck } from '@/lib/actions/begin-passkey-check';
import { beginPasskeyRegistration } from '@/lib/actions/begin-passkey-registration';
import { beginPasskeySignIn } from '@/lib/actions/begin-passkey-sign-in';
import { removePasskey } from '@/lib/actions/remove-passkey';
import { PASSKEY_MESSAGES } from '@/lib/auth/messages';
import { authOptions } from '@/lib/auth/options';
import {
  beginPasskeyAuthentication,
  beginPasskeySignIn as beginSignInFor,
  CHALLENGE_TTL_MS,
  relyingParty,
  signInWithPasskey,
  userHasPasskey,
  verifyPasskeyAuthentication,
} from '@/lib/auth/passkeys';
import { SoftAuthenticator } from '../support/soft-authenticator';
import { newUser } from './fixtures';
import { actingAs, request, signInAs, signOut } from './request';

const HOST = 'localhost:3000';
const ORIGIN = 'http://localhost:3000';
const PASSWORD = 'correct horse battery';

beforeAll(() => {
  delete process.env.NEXTAUTH_URL;
  request.headers.set('host', HOST);
});
beforeEach(() => signOut());
afterEach(() => {
  delete process.env.NEXTAUTH_URL;
});

type User = { id: string; name: string; email: string };

/** Adds a passkey through the portal's two actions, as the Security page does. */
async function addWith(user: User, authenticator: SoftAuthenticator, name = 'Laptop') {
  await signInAs(user);
  const begun = await beginPasskeyRegistration({});
  if (!begun.ok) throw new Error(begun.error);
  return addPasskey({ name, response: authenticator.register(begun.data, ORIGIN) });
}

async function signInOptions() {
  const begun = await beginPasskeySignIn({});
  if (!begun.ok) throw new Error(begun.error);
  return begun.data;
}

/** What a passkey sign-in answers: the user's id, or the refusal's message. */
async function trySignIn(response: Parameters<typeof signInWithPasskey>[1], host = HOST): Promise<string> {
  try {
    return (await signInWithPasskey(db, response, host)).id;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('adding a passkey', () => {
  it('stores the public key under its name, lists nothing secret, and audits it in the same change', async () => {
    const { user } = await newUser('Pia');
    const authenticator = new SoftAuthenticator();
    expect(await userHasPasskey(db, user.id)).toBe(false);
    expect(await addWith(user, authenticator, 'Work laptop')).toEqual({ ok: true, data: { name: 'Work laptop' } });

    const rows = await db.passkey.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: 'Work laptop', credentialId: authenticator.id, counter: 0n, transports: 'internal', lastUsedAt: null });
    expect(await userHasPasskey(db, user.id)).toBe(true);
    const audit = await db.auditEvent.findMany({ where: { action: 'passkey.added', actorId: user.id } });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ orgId: null, subjectUserId: user.id, userAgent: 'vitest', ip: '203.0.113.7' });
    expect(JSON.parse(audit[0]!.details!)).toEqual({ name: 'Work laptop' });
  });

  it('refuses a used or expired challenge, and an answer for another origin, adding nothing', async () => {
    const { user } = await newUser('Quin');
    await signInAs(user);
    const begun = await beginPasskeyRegistration({});
    if (!begun.ok) throw new Error(begun.error);
    const answer = new SoftAuthenticator().register(begun.data, ORIGIN);
    expect((await addPasskey({ name: 'One', response: answer })).ok).toBe(true);
    // The same answer again: its challenge was used.
    expect(await addPasskey({ name: 'Again', response: answer })).toEqual({ ok: false, error: PASSKEY_MESSAGES.expired });

    const foreign = await beginPasskeyRegistration({});
    if (!foreign.ok) throw new Error(foreign.error);
    expect(await addPasskey({ name: 'Evil', response: new SoftAuthenticator().register(foreign.data, 'http://evil.example') })).toEqual({
      ok: false,
      error: PASSKEY_MESSAGES.failed,
    });

    // Answered after 5 minutes.
    const stale = await beginPasskeyRegistration({});
    if (!stale.ok) throw new Error(stale.error);
    await db.passkeyChallenge.update({ where: { challenge: stale.data.challenge }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await addPasskey({ name: 'Late', response: new SoftAuthenticator().register(stale.data, ORIGIN) })).toEqual({
      ok: false,
      error: PASSKEY_MESSAGES.expired,
    });
    expect((await db.passkey.findMany({ where: { userId: user.id }, select: { name: true } })).map((p) => p.name)).toEqual(['One']);
  });

  it("cannot answer another user's challenge, nor add a passkey someone already has", async () => {
    const alice = (await newUser('Ada')).user;
    const bob = (await newUser('Bo')).user;
    await signInAs(alice);
    const begun = await beginPasskeyRegistration({});
    if (!begun.ok) throw new Error(begun.error);
    const authenticator = new SoftAuthenticator();
    const answer = authenticator.register(begun.data, ORIGIN);
    expect(await actingAs(bob, () => addPasskey({ name: 'Stolen', response: answer }))).toEqual({ ok: false, error: PASSKEY_MESSAGES.expired });
    // Alice's challenge is still hers to answer.
    expect((await addPasskey({ name: 'Mine', response: answer })).ok).toBe(true);
    // Bob registering the same credential id (a copied answer on his own challenge) is refused.
    expect(await addWith(bob, authenticator)).toEqual({ ok: false, error: 'This passkey is already added.' });
    expect(await db.passkey.count({ where: { userId: bob.id } })).toBe(0);
  });

  it('needs a session and a name', async () => {
    const { user } = await newUser('Rae');
    expect(await beginPasskeyRegistration({})).toEqual({ ok: false, error: 'You are signed out. Sign in again.' });
    await signInAs(user);
    const begun = await beginPasskeyRegistration({});
    if (!begun.ok) throw new Error(begun.error);
    expect(await addPasskey({ name: '  ', response: new SoftAuthenticator().register(begun.data, ORIGIN) })).toMatchObject({
      ok: false,
      fieldErrors: { name: ['Enter a name for the passkey.'] },
    });
  });
});

describe('signing in with a passkey', () => {
  it('signs the passkey’s user in, and writes the counter and last use', async () => {
    const { user } = await newUser('Sam');
    const authenticator = new SoftAuthenticator();
    await addWith(user, authenticator);
    signOut();
    const options = await signInOptions();
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('required');
    expect(options.rpId).toBe('localhost');
    expect(await trySignIn(authenticator.assert(options, ORIGIN))).toBe(user.id);
    const row = await db.passkey.findUniqueOrThrow({ where: { credentialId: authenticator.id } });
    expect(row.counter).toBe(1n);
    expect(Date.now() - row.lastUsedAt!.getTime()).toBeLessThan(60_000);
  });

  it('refuses a sign-in by a passkey that did not verify its user (a security key without a PIN is one factor)', async () => {
    const { user } = await newUser('Uma');
    const authenticator = new SoftAuthenticator();
    await addWith(user, authenticator);
    signOut();
    authenticator.userVerified = false;
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN))).toBe(PASSKEY_MESSAGES.failed);
    authenticator.userVerified = true;
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN))).toBe(user.id);
  });

  it("ends in next-auth's session like a password sign-in: the `passkey` provider", async () => {
    const { user } = await newUser('Tess');
    const authenticator = new SoftAuthenticator();
    await addWith(user, authenticator);
    // next-auth keeps a provider's own settings (its id, its authorize) under `options`.
    const provider = authOptions().providers.find((p) => (p as { options?: { id?: string } }).options?.id === 'passkey') as unknown as {
      options: { authorize: (credentials: Record<string, string>, req: { headers: Record<string, string> }) => Promise<{ id: string } | null> };
    };
    const authorize = (response: unknown) => provider.options.authorize({ response: JSON.stringify(response) }, { headers: { host: HOST } });
    const answer = authenticator.assert(await signInOptions(), ORIGIN);
    expect(await authorize(answer)).toEqual({ id: user.id, name: user.name, email: user.email });
    await expect(authorize(answer)).rejects.toThrow(PASSKEY_MESSAGES.expired);
    await expect(authorize({ not: 'an answer' })).rejects.toThrow(PASSKEY_MESSAGES.failed);
  });

  it('refuses a used or stale challenge, an unknown credential, a counter that went back, and another origin', async () => {
    const { user } = await newUser('Uli');
    const authenticator = new SoftAuthenticator();
    await addWith(user, authenticator);
    signOut();

    const answer = authenticator.assert(await signInOptions(), ORIGIN);
    expect(await trySignIn(answer)).toBe(user.id);
    expect(await trySignIn(answer), 'replayed').toBe(PASSKEY_MESSAGES.expired);

    const stale = await beginSignInFor(db, HOST, new Date(Date.now() - CHALLENGE_TTL_MS - 1000));
    expect(await trySignIn(authenticator.assert(stale, ORIGIN)), 'stale').toBe(PASSKEY_MESSAGES.expired);

    const unknown = new SoftAuthenticator();
    expect(await trySignIn(unknown.assert(await signInOptions(), ORIGIN)), 'unknown credential').toBe(PASSKEY_MESSAGES.failed);

    const counter = (await db.passkey.findUniqueOrThrow({ where: { credentialId: authenticator.id } })).counter;
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN, { counter: Number(counter) })), 'same counter').toBe(PASSKEY_MESSAGES.failed);
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN, { counter: 0 })), 'counter back to 0').toBe(PASSKEY_MESSAGES.failed);
    expect((await db.passkey.findUniqueOrThrow({ where: { credentialId: authenticator.id } })).counter).toBe(counter);

    expect(await trySignIn(authenticator.assert(await signInOptions(), 'http://evil.example', { counter: 50 })), 'another origin').toBe(
      PASSKEY_MESSAGES.failed,
    );
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN, { counter: 51, rpId: 'evil.example' })), 'another RP id').toBe(
      PASSKEY_MESSAGES.failed,
    );
    // Checked at another loopback address than the one it was made for.
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN, { counter: 52 }), '127.0.0.1:3000'), 'another host').toBe(
      PASSKEY_MESSAGES.failed,
    );
    // And the real one still works.
    expect(await trySignIn(authenticator.assert(await signInOptions(), ORIGIN, { counter: 60 }))).toBe(user.id);
  });
});

describe('the relying party', () => {
  it('follows NEXTAUTH_URL, or a loopback Host on the embedded default, and refuses anything else', async () => {
    expect(relyingParty('localhost:3000', {})).toEqual({ id: 'localhost', origin: 'http://localhost:3000' });
    expect(relyingParty('127.0.0.1:3410', {})).toEqual({ id: '127.0.0.1', origin: 'http://127.0.0.1:3410' });
    expect(relyingParty('[::1]:3000', {})).toEqual({ id: '::1', origin: 'http://[::1]:3000' });
    expect(relyingParty('portal.example.com', {})).toBeNull();
    expect(relyingParty('localhost.evil.example', {})).toBeNull();
    expect(relyingParty(null, {})).toBeNull();
    const configured = { NEXTAUTH_URL: 'https://portal.example.com/' };
    expect(relyingParty('localhost:3000', configured)).toEqual({ id: 'portal.example.com', origin: 'https://portal.example.com' });

    // (http: with https next-auth would look for its __Secure- cookie, which this test does not set.)
    process.env.NEXTAUTH_URL = 'http://portal.example.com:8080';
    const { user } = await newUser('Val');
    await signInAs(user);
    const begun = await beginPasskeyRegistration({});
    expect(begun).toMatchObject({ ok: true, data: { rp: { id: 'portal.example.com' } } });
    // A passkey made for the loopback address does not answer there.
    if (!begun.ok) throw new Error(begun.error);
    expect(await addPasskey({ name: 'Local', response: new SoftAuthenticator().register(begun.data, ORIGIN, 'localhost') })).toEqual({
      ok: false,
      error: PASSKEY_MESSAGES.failed,
    });
    delete process.env.NEXTAUTH_URL;

    request.headers.set('host', 'portal.example.com');
    try {
      expect(await beginPasskeySignIn({})).toEqual({ ok: false, error: PASSKEY_MESSAGES.origin });
    } finally {
      request.headers.set('host', HOST);
    }
  });
});

describe('a passkey as a second factor', () => {
  it("checks one of this user's passkeys only, once per challenge", async () => {
    const alice = (await newUser('Wen')).user;
    const bob = (await newUser('Xi')).user;
    const alicesKey = new SoftAuthenticator();
    const bobsKey = new SoftAuthenticator();
    await addWith(alice, alicesKey);
    await addWith(bob, bobsKey);

    const options = await beginPasskeyAuthentication(db, alice.id, HOST);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([alicesKey.id]);
    const answer = alicesKey.assert(options, ORIGIN);
    // Bob cannot use Alice's challenge, nor his passkey on hers.
    await expect(verifyPasskeyAuthentication(db, bob.id, answer, HOST)).rejects.toThrow(PASSKEY_MESSAGES.expired);
    await expect(verifyPasskeyAuthentication(db, alice.id, bobsKey.assert(options, ORIGIN), HOST)).rejects.toThrow(PASSKEY_MESSAGES.failed);
    // That took the challenge: Alice's own answer to it is now refused, and a new one works.
    await expect(verifyPasskeyAuthentication(db, alice.id, answer, HOST)).rejects.toThrow(PASSKEY_MESSAGES.expired);
    const fresh = alicesKey.assert(await beginPasskeyAuthentication(db, alice.id, HOST), ORIGIN);
    expect(await verifyPasskeyAuthentication(db, alice.id, fresh, HOST)).toMatchObject({ passkeyId: expect.any(String) });
    // A second-factor challenge does not sign anyone in, and a sign-in challenge is no second factor.
    await expect(signInWithPasskey(db, alicesKey.assert(await beginPasskeyAuthentication(db, alice.id, HOST), ORIGIN), HOST)).rejects.toThrow(
      PASSKEY_MESSAGES.expired,
    );
    await expect(verifyPasskeyAuthentication(db, alice.id, alicesKey.assert(await signInOptions(), ORIGIN), HOST)).rejects.toThrow(PASSKEY_MESSAGES.expired);
  });
});

describe('removing a passkey', () => {
  it('removes one of several at once, and the last only with the password and the passkey; audited', async () => {
    const { user } = await newUser('Yara');
    const laptopKey = new SoftAuthenticator();
    await addWith(user, new SoftAuthenticator(), 'Phone');
    await addWith(user, laptopKey, 'Laptop');
    const [phone, laptop] = await db.passkey.findMany({ where: { userId: user.id }, orderBy: { createdAt: 'asc' }, select: { id: true } });

    expect(await removePasskey({ passkeyId: phone!.id })).toEqual({ ok: true, data: { name: 'Phone' } });
    const lastNeedsPassword = 'Enter your password to remove your last passkey.';
    expect(await removePasskey({ passkeyId: laptop!.id })).toEqual({ ok: false, error: lastNeedsPassword, fieldErrors: { password: [lastNeedsPassword] } });
    expect(await removePasskey({ passkeyId: laptop!.id, password: 'not it' })).toMatchObject({ ok: false, error: 'The current password is not right.' });
    expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
    // The last second factor of the account (no authenticator app): the passkey answers too.
    const begun = await beginPasskeyCheck({});
    if (!begun.ok) throw new Error(begun.error);
    expect(await removePasskey({ passkeyId: laptop!.id, password: PASSWORD, passkey: laptopKey.assert(begun.data, ORIGIN) })).toEqual({
      ok: true,
      data: { name: 'Laptop' },
    });
    expect(await userHasPasskey(db, user.id)).toBe(false);

    const removed = await db.auditEvent.findMany({ where: { action: 'passkey.removed', actorId: user.id }, orderBy: { createdAt: 'asc' } });
    expect(removed.map((event) => JSON.parse(event.details!).name)).toEqual(['Phone', 'Laptop']);
    expect(removed.every((event) => event.orgId === null && event.subjectUserId === user.id)).toBe(true);
  });

  it("cannot remove someone else's passkey", async () => {
    const owner = (await newUser('Zed')).user;
    const stranger = (await newUser('Abe')).user;
    await addWith(owner, new SoftAuthenticator());
    await addWith(owner, new SoftAuthenticator());
    const row = await db.passkey.findFirstOrThrow({ where: { userId: owner.id }, select: { id: true } });
    await signInAs(stranger);
    expect(await removePasskey({ passkeyId: row.id, password: PASSWORD })).toEqual({ ok: false, error: 'Not found.' });
    expect(await db.passkey.count({ where: { userId: owner.id } })).toBe(2);
    expect(await db.auditEvent.count({ where: { action: 'passkey.removed', actorId: stranger.id } })).toBe(0);
  });

  it('two removals at once without the password leave the last passkey', async () => {
    // Several users at once, so that some pairs of removals truly overlap.
    const users = await Promise.all(['Bea', 'Cy', 'Dot', 'Eli', 'Fay', 'Gus'].map(async (name) => (await newUser(name)).user));
    for (const user of users) {
      await addWith(user, new SoftAuthenticator(), 'One');
      await addWith(user, new SoftAuthenticator(), 'Two');
    }
    const rows = await db.passkey.findMany({ where: { userId: { in: users.map((u) => u.id) } }, select: { id: true, userId: true } });
    const byId = new Map(users.map((u) => [u.id, u]));
    const results = await Promise.all(rows.map((row) => actingAs(byId.get(row.userId)!, () => removePasskey({ passkeyId: row.id }))));
    expect(results.filter((result) => result.ok)).toHaveLength(users.length);
    for (const user of users) {
      expect(await db.passkey.count({ where: { userId: user.id } })).toBe(1);
      expect(await db.auditEvent.count({ where: { action: 'passkey.removed', actorId: user.id } })).toBe(1);
    }
  });
});
