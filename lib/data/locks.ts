import 'server-only';
import type { AppAccess, OrgAccess } from '../auth/access';
import { assertCan, parseRole, type Permission } from '../auth/permissions';
import { db } from '../db';
import { AppError } from '../shared/errors';
import type { DbTx } from '../prisma';

// Changes that must see the row as it is when they commit take turns on it: the transaction
// writes to the row first (a no-op update: SQLite's write lock, a row lock on PostgreSQL), then
// reads. On SQLite, a transaction that reads before its first write can fail at once when
// another process writes meanwhile, instead of waiting its turn.

/**
 * Locks the app's row in the transaction, then re-reads the app and the caller's role and checks
 * the permission again: the answer is the app as it is now, for a change that commits after it.
 */
export async function lockApp(tx: DbTx, access: AppAccess, permission: Permission) {
  const locked = await tx.$executeRaw`UPDATE "App" SET "name" = "name" WHERE "id" = ${access.app.id}`;
  if (locked === 0) throw new AppError('not_found');
  const [app, membership] = await Promise.all([
    tx.app.findUniqueOrThrow({ where: { id: access.app.id }, select: { id: true, name: true, description: true, orgId: true } }),
    tx.membership.findUnique({ where: { orgId_userId: { orgId: access.org.id, userId: access.userId } }, select: { role: true } }),
  ]);
  if (!membership || app.orgId !== access.org.id) throw new AppError('not_found');
  assertCan({ role: parseRole(membership.role) }, permission);
  return app;
}

/**
 * Runs a membership change so that the organization never loses its last owner, also when two
 * people act at the same moment: changes to one organization's members take turns on its row;
 * after the change the owners are counted again, and with none left the whole change rolls
 * back with `lastOwnerMessage`.
 */
export async function keepingAnOwner<T>(access: OrgAccess, lastOwnerMessage: string, change: (tx: DbTx) => Promise<T>): Promise<T> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`UPDATE "Organization" SET "name" = "name" WHERE "id" = ${access.org.id}`;
    const result = await change(tx);
    if ((await tx.membership.count({ where: { orgId: access.org.id, role: 'owner' } })) === 0) {
      throw new AppError('conflict', lastOwnerMessage);
    }
    return result;
  });
}
