import { beforeEach, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { createToken, revokeToken } from '@/lib/actions/tokens';
import { newUser } from './fixtures';
import { actingAs, signInAs, signOut } from './request';

beforeEach(() => signOut());

const DAY = 24 * 60 * 60 * 1000;

it('creates tokens with the chosen expiration, stored as a digest', async () => {
  const { user, org } = await newUser('Uma');
  await signInAs(user);
  const seven = await createToken({ name: 'seven', org: org.name, scope: 'apps:read', expiration: '7' });
  expect(seven.ok).toBe(true);
  const future = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 10);
  expect((await createToken({ name: 'dated', org: '*', scope: '*', expiration: 'date', expiresOn: future })).ok).toBe(true);
  expect((await createToken({ name: 'forever', org: org.name, scope: 'apps:write', expiration: 'none' })).ok).toBe(true);

  const rows = await db.personalAccessToken.findMany({ where: { userId: user.id }, select: { name: true, expiresAt: true, orgId: true, scopes: true } });
  const byName = Object.fromEntries(rows.map((r) => [r.name, r]));
  expect(Math.abs(byName.seven!.expiresAt!.getTime() - (Date.now() + 7 * DAY))).toBeLessThan(60_000);
  expect(byName.dated!.expiresAt!.toISOString()).toBe(`${future}T23:59:59.999Z`);
  expect(byName.dated!.orgId).toBeNull();
  expect(byName.forever!.expiresAt).toBeNull();
  expect(byName.forever!.scopes).toBe('apps:write');
});

it('refuses bad input with the reason, and creates nothing', async () => {
  const { user, org } = await newUser('Uma');
  const other = await newUser('Vic');
  await signInAs(user);
  const past = new Date(Date.now() - DAY).toISOString().slice(0, 10);
  expect(await createToken({ name: '', org: org.name, scope: 'apps:read', expiration: '7' })).toMatchObject({
    ok: false,
    fieldErrors: { name: ['Enter a name for the token.'] },
  });
  expect(await createToken({ name: 'x', org: org.name, scope: 'admin', expiration: '7' })).toMatchObject({
    ok: false,
    fieldErrors: { scope: ['Choose a scope.'] },
  });
  expect(await createToken({ name: 'x', org: org.name, scope: 'apps:read', expiration: '365' })).toMatchObject({ ok: false });
  expect(await createToken({ name: 'x', org: org.name, scope: 'apps:read', expiration: 'date', expiresOn: past })).toMatchObject({
    ok: false,
    fieldErrors: { expiresOn: ['Choose a date in the future.'] },
  });
  expect(await createToken({ name: 'x', org: other.org.name, scope: 'apps:read', expiration: '7' })).toMatchObject({ ok: false, error: 'Not found.' });
  signOut();
  expect(await createToken({ name: 'x', org: org.name, scope: 'apps:read', expiration: '7' })).toEqual({
    ok: false,
    error: 'You are signed out. Sign in again.',
  });
  expect(await db.personalAccessToken.count({ where: { userId: user.id } })).toBe(0);
});

it("cannot revoke another user's token", async () => {
  const owner = await newUser('Wes');
  const stranger = await newUser('Xan');
  await signInAs(owner.user);
  await createToken({ name: 'mine', org: owner.org.name, scope: 'apps:read', expiration: '7' });
  const row = await db.personalAccessToken.findFirstOrThrow({ where: { userId: owner.user.id }, select: { id: true } });
  await signInAs(stranger.user);
  expect(await revokeToken({ tokenId: row.id })).toEqual({ ok: false, error: 'Not found.' });
  expect((await db.personalAccessToken.findUniqueOrThrow({ where: { id: row.id }, select: { revokedAt: true } })).revokedAt).toBeNull();
});

it('refuses a second token of the same name for one user, revoked ones included, with an inline error', async () => {
  const { user, org } = await newUser('Yan');
  await signInAs(user);
  expect((await createToken({ name: 'ci-read', org: org.name, scope: 'apps:read', expiration: '7' })).ok).toBe(true);
  const taken = 'You already have a token named ci-read. Token names are unique, revoked and expired tokens included.';
  expect(await createToken({ name: ' ci-read ', org: '*', scope: '*', expiration: 'none' })).toEqual({
    ok: false,
    error: taken,
    fieldErrors: { name: [taken] },
  });

  const row = await db.personalAccessToken.findFirstOrThrow({ where: { userId: user.id, name: 'ci-read' }, select: { id: true } });
  expect((await revokeToken({ tokenId: row.id })).ok).toBe(true);
  expect(await createToken({ name: 'ci-read', org: org.name, scope: 'apps:read', expiration: '7' })).toMatchObject({ ok: false, error: taken });

  // Another user may use the name.
  const other = await newUser('Zed');
  await signInAs(other.user);
  expect((await createToken({ name: 'ci-read', org: other.org.name, scope: 'apps:read', expiration: '7' })).ok).toBe(true);
  expect(await db.personalAccessToken.count({ where: { userId: user.id } })).toBe(1);
});

it('gives one of two simultaneous creations of one name the token, and the other the inline error', async () => {
  const { user, org } = await newUser('Yan');
  const results = await Promise.all(
    Array.from({ length: 3 }, () => actingAs(user, () => createToken({ name: 'deploy', org: org.name, scope: 'apps:read', expiration: '7' }))),
  );
  expect(results.filter((r) => r.ok)).toHaveLength(1);
  for (const result of results.filter((r) => !r.ok)) {
    expect(result).toMatchObject({
      ok: false,
      fieldErrors: { name: ['You already have a token named deploy. Token names are unique, revoked and expired tokens included.'] },
    });
  }
  expect(await db.personalAccessToken.count({ where: { userId: user.id, name: 'deploy' } })).toBe(1);
});
