import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { decryptSecret } from '@/lib/shared/keys/crypto';
import { createApp } from '@/lib/actions/create-app';
import { signUp } from '@/lib/actions/sign-up';
import { acceptInvitation, inviteMember } from '@/lib/actions/invitations';
import type { ActionResult } from '@/lib/actions/safe-action';
import { actingAs, signInAs } from './request';

let counter = 0;

/** Signs a new user up through the real action; returns the user and their personal organization. */
export async function newUser(name = 'Alice') {
  counter += 1;
  const email = `${name.toLowerCase()}-${counter}-${Date.now()}@example.com`;
  const result = await signUp({ name, email, password: 'correct horse battery' });
  if (!result.ok) throw new Error(result.error);
  const user = await db.user.findUniqueOrThrow({ where: { email }, select: { id: true, name: true, email: true } });
  const org = await db.organization.findUniqueOrThrow({ where: { name: result.data.orgName }, select: { id: true, name: true } });
  return { user, org };
}

/** Creates an app as the given user, through the real action. */
export async function newApp(owner: { id: string; name: string; email: string }, orgName: string, name = `app-${Date.now()}-${++counter}`) {
  await signInAs(owner);
  const result = await createApp({ org: orgName, name, description: 'test app' });
  if (!result.ok) throw new Error(result.error);
  return db.app.findFirstOrThrow({ where: { name, org: { name: orgName } }, select: { id: true, name: true, orgId: true } });
}

/** Both current keys of an app, decrypted from the database. */
export async function currentKeys(appId: number) {
  const rows = await db.apiKey.findMany({ where: { appId }, select: { id: true, slot: true, ciphertext: true } });
  const reveal = (slot: number) => {
    const row = rows.find((r) => r.slot === slot)!;
    return decryptSecret(row.ciphertext, row.id, serverEnv().keySecrets.encryptionKey);
  };
  return { 1: reveal(1), 2: reveal(2) };
}

/** Regenerates keys as the user, through the same function as the portal and the API. */
export async function regenerateAs(user: { id: string }, appId: number, slots: (1 | 2)[]) {
  const { findAppAccess } = await import('@/lib/auth/access');
  const { regenerateApiKeys } = await import('@/lib/data/api-keys');
  const access = await findAppAccess(user.id, { id: appId });
  if (!access) throw new Error(`User ${user.id} cannot see app ${appId}`);
  return regenerateApiKeys(access, { slots, origin: { actorId: user.id } });
}

/** The token of an invitation link the portal answered (`/invite/<token>`). */
export const tokenOf = (path: string) => path.slice('/invite/'.length);

/**
 * Adds a member the way the portal does: the signed-in user (of the current request) invites the
 * address, and the account with that address accepts the link. The answer is the invitation's
 * refusal, or the acceptance's, or `{ ok: true, data: null }`.
 */
export async function addMember(input: { org: string; email: string; role: string }): Promise<ActionResult> {
  const invited = await inviteMember(input);
  if (!invited.ok) return invited;
  const invitee = await db.user.findUniqueOrThrow({ where: { email: input.email.trim().toLowerCase() }, select: { id: true, name: true, email: true } });
  const accepted = await actingAs(invitee, () => acceptInvitation({ token: tokenOf(invited.data.path) }));
  return accepted.ok ? { ok: true, data: null } : accepted;
}
