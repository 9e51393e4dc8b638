import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '@/lib/db';
import { signUp } from '@/lib/actions/sign-up';
import { createApp } from '@/lib/actions/create-app';
import { addMember, newApp, newUser } from './fixtures';
import { signInAs, signOut } from './request';

beforeEach(() => signOut());

describe('sign-up', () => {
  it('creates the user with a hashed password and a personal organization they own', async () => {
    const email = `grace-${Date.now()}@example.com`;
    const result = await signUp({ name: 'Grace Hopper', email: email.toUpperCase(), password: 'a long password' });
    expect(result.ok).toBe(true);
    const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, passwordHash: true } });
    expect(user.passwordHash).toMatch(/^\$scrypt\$v=1\$/);
    expect(user.passwordHash).not.toContain('a long password');
    const memberships = await db.membership.findMany({ where: { userId: user.id }, select: { role: true, org: { select: { name: true } } } });
    expect(memberships).toHaveLength(1);
    expect(memberships[0]!.role).toBe('owner');
    if (result.ok) expect(memberships[0]!.org.name).toBe(result.data.orgName);
    expect(memberships[0]!.org.name).toMatch(/^grace-hopper/);
  });

  it('refuses a duplicate email with a clear error and no second account', async () => {
    const email = `dup-${Date.now()}@example.com`;
    expect((await signUp({ name: 'First', email, password: 'password-one' })).ok).toBe(true);
    const again = await signUp({ name: 'Second', email, password: 'password-two' });
    expect(again).toMatchObject({ ok: false, error: 'An account with this email already exists. Sign in instead.' });
    expect(await db.user.count({ where: { email } })).toBe(1);
  });

  it('refuses bad input with the reason', async () => {
    expect(await signUp({ name: '', email: 'x@example.com', password: 'long enough' })).toMatchObject({ ok: false, error: 'Enter your name.' });
    expect(await signUp({ name: 'X', email: 'not-an-email', password: 'long enough' })).toMatchObject({ ok: false, error: 'Enter a valid email address.' });
    expect(await signUp({ name: 'X', email: 'short@example.com', password: 'short' })).toMatchObject({
      ok: false,
      error: 'Password must be at least 8 characters.',
    });
    expect(await db.user.count({ where: { email: 'short@example.com' } })).toBe(0);
  });

  it('gives two people with the same name different organizations', async () => {
    const a = await newUser('Sam');
    const b = await newUser('Sam');
    expect(a.org.name).not.toBe(b.org.name);
  });

  it('gives people with the same name who sign up at the same moment each an organization', async () => {
    const name = `Twin ${Date.now().toString(36)}`;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => signUp({ name, email: `twin-${i}-${Date.now()}@example.com`, password: 'correct horse battery' })),
    );
    expect(results.map((result) => result.ok)).toEqual(Array(8).fill(true));
    const names = results.map((result) => (result.ok ? result.data.orgName : ''));
    expect(new Set(names).size).toBe(8);
    expect(await db.organization.count({ where: { name: { in: names } } })).toBe(8);
  });
});

describe('creating apps', () => {
  it('refuses invalid and duplicate names inline and creates nothing', async () => {
    const { user, org } = await newUser();
    await signInAs(user);
    const cases: [string, string][] = [
      ['abc', 'App name must be 4 to 63 characters.'],
      ['a'.repeat(64), 'App name must be 4 to 63 characters.'],
      ['has space', 'App name may contain only letters, digits and single hyphens, not at the start or end.'],
      ['dots.not.ok', 'App name may contain only letters, digits and single hyphens, not at the start or end.'],
      ['members', 'This name is reserved. Choose another.'],
    ];
    for (const [name, error] of cases) {
      const result = await createApp({ org: org.name, name });
      expect(result).toMatchObject({ ok: false, fieldErrors: { name: [error] } });
    }
    expect(await db.app.count({ where: { orgId: org.id } })).toBe(0);

    expect((await createApp({ org: org.name, name: 'taxi-trips', description: 'NYC taxis' })).ok).toBe(true);
    const duplicate = await createApp({ org: org.name, name: 'taxi-trips' });
    expect(duplicate).toMatchObject({ ok: false, fieldErrors: { name: ['An app with this name already exists in this organization.'] } });
    expect(await db.app.count({ where: { orgId: org.id } })).toBe(1);
    expect(await db.apiKey.count({ where: { app: { orgId: org.id } } })).toBe(2);
  });

  it('lets the same name exist in two organizations', async () => {
    const a = await newUser();
    const b = await newUser();
    await newApp(a.user, a.org.name, 'shared-name');
    await newApp(b.user, b.org.name, 'shared-name');
    expect(await db.app.count({ where: { name: 'shared-name' } })).toBe(2);
  });

  it('answers "not found" in an organization the user is not in, and refuses members', async () => {
    const { user: owner, org } = await newUser('Olivia');
    const { user: other } = await newUser('Eve');
    await signInAs(other);
    expect(await createApp({ org: org.name, name: 'sneaky-app' })).toEqual({ ok: false, error: 'Not found.' });
    await signInAs(owner);
    await addMember({ org: org.name, email: other.email, role: 'member' });
    await signInAs(other);
    expect(await createApp({ org: org.name, name: 'sneaky-app' })).toEqual({ ok: false, error: 'Only owners and admins can create apps.' });
    signOut();
    expect(await createApp({ org: org.name, name: 'sneaky-app' })).toEqual({ ok: false, error: 'You are signed out. Sign in again.' });
    expect(await db.app.count({ where: { orgId: org.id } })).toBe(0);
  });
});
