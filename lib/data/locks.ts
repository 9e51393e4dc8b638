import 'server-only';
import { OAUTH_CLIENT_ROLE, type AppAccess, type OrgAccess } from '../auth/access';
import { assertCan, parseRole, type Permission, type Role } from '../auth/permissions';
import { db } from '../db';
import { AppError } from '../shared/errors';
import type { DbTx } from '../prisma';

// Changes that must see a row as it is when they commit take turns on it: the transaction
// writes to the row first (a no-op update: SQLite's write lock, a row lock on PostgreSQL), then
// reads. On SQLite, a transaction that reads before its first write can fail at once when
// another process writes meanwhile, instead of waiting its turn. The helpers below are the only
// place that takes such a lock; withAppLock and withOrgLock also re-check the caller's role under it.

/** The app as it is under the lock. */
export type LockedApp = { id: number; name: string; description: string; orgId: string };

/**
 * The caller's role as it is under the lock; a caller no longer a member finds nothing. An OAuth
 * client is re-checked instead: still there, not deleted, in this organization (then an admin).
 */
async function roleNow(tx: DbTx, access: OrgAccess, permission: Permission): Promise<Role> {
  let role: Role;
  if (access.oauthClientId !== null) {
    const client = await tx.oAuthClient.findFirst({ where: { id: access.oauthClientId, orgId: access.org.id, deletedAt: null }, select: { id: true } });
    if (!client) throw new AppError('not_found');
    role = OAUTH_CLIENT_ROLE;
  } else {
    if (access.userId === null) throw new AppError('not_found');
    const membership = await tx.membership.findUnique({ where: { orgId_userId: { orgId: access.org.id, userId: access.userId } }, select: { role: true } });
    if (!membership) throw new AppError('not_found');
    role = parseRole(membership.role);
  }
  assertCan({ role }, permission);
  return role;
}

/**
 * Runs `change` in one transaction that holds the app's row, after checking the permission again
 * against the caller's role as it is then: someone demoted or removed since the first check
 * changes nothing, and a deleted app is `not_found`. `change` gets the app as it is now.
 */
export async function withAppLock<T>(access: AppAccess, permission: Permission, change: (tx: DbTx, app: LockedApp) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$executeRaw`UPDATE "App" SET "name" = "name" WHERE "id" = ${access.app.id}`;
    if (locked === 0) throw new AppError('not_found');
    const app = await tx.app.findUniqueOrThrow({ where: { id: access.app.id }, select: { id: true, name: true, description: true, orgId: true } });
    if (app.orgId !== access.org.id) throw new AppError('not_found');
    await roleNow(tx, access, permission);
    return change(tx, app);
  });
}

/**
 * Runs `change` in one transaction that holds the organization's row (`not_found` when it is
 * gone), for a change by someone who need not be a member yet: accepting an invitation.
 */
export async function withOrgRowLock<T>(orgId: string, change: (tx: DbTx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$executeRaw`UPDATE "Organization" SET "name" = "name" WHERE "id" = ${orgId}`;
    if (locked === 0) throw new AppError('not_found');
    return change(tx);
  });
}

/**
 * Runs `change` in one transaction that holds the organization's row, after checking the
 * permission again against the caller's role as it is then (`change` gets that role). With
 * `keepAnOwner`, the owners are counted after the change, and with none left the whole change
 * rolls back with that message: the organization never loses its last owner, also when two
 * people act at the same moment.
 */
export async function withOrgLock<T>(
  access: OrgAccess,
  permission: Permission,
  change: (tx: DbTx, callerRole: Role) => Promise<T>,
  options: { keepAnOwner?: string } = {},
): Promise<T> {
  return withOrgRowLock(access.org.id, async (tx) => {
    const result = await change(tx, await roleNow(tx, access, permission));
    if (options.keepAnOwner !== undefined && (await tx.membership.count({ where: { orgId: access.org.id, role: 'owner' } })) === 0) {
      throw new AppError('conflict', options.keepAnOwner);
    }
    return result;
  });
}

/**
 * Runs `change` in one transaction that holds the user's row: changes to one user's own sign-in
 * methods (removing a passkey, and whatever must keep one way to sign in) take turns, so two at
 * once cannot both see "another one is left".
 */
export async function withUserLock<T>(userId: string, change: (tx: DbTx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    const locked = await tx.$executeRaw`UPDATE "User" SET "name" = "name" WHERE "id" = ${userId}`;
    if (locked === 0) throw new AppError('not_found');
    return change(tx);
  });
}
