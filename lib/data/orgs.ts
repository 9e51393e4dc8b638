import 'server-only';
import type { OrgAccess } from '../auth/access';
import type { Role } from '../auth/permissions';
import { db } from '../db';
import type { DbTx } from '../prisma';

/** The organization's members, oldest membership first. */
export async function listMembers(access: OrgAccess) {
  return db.membership.findMany({
    where: { orgId: access.org.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
  });
}

/** One member of the organization, by user id, or null. */
export async function findMember(access: OrgAccess, userId: string) {
  return db.membership.findFirst({
    where: { orgId: access.org.id, userId },
    select: { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } },
  });
}

/**
 * The members the policy "Require two-factor authentication" affects: those with neither a
 * confirmed authenticator app nor a passkey (lib/auth/two-factor.ts secondFactors), oldest
 * membership first.
 */
export async function membersWithoutTwoFactor(access: OrgAccess) {
  return db.membership.findMany({
    where: {
      orgId: access.org.id,
      user: { passkeys: { none: {} }, OR: [{ twoFactor: { is: null } }, { twoFactor: { is: { confirmedAt: null } } }] },
    },
    orderBy: { createdAt: 'asc' },
    select: { id: true, role: true, user: { select: { name: true, email: true } } },
  });
}

/** Whether the organization requires two-factor authentication of its members. */
export async function requiresTwoFactor(access: OrgAccess): Promise<boolean> {
  return (await db.organization.findUniqueOrThrow({ where: { id: access.org.id }, select: { requireTwoFactor: true } })).requireTwoFactor;
}

/**
 * Adds a member: the one write of a membership, made by accepting an invitation (and by tests
 * that need a member). Its caller records the audit event in the same transaction.
 */
export async function addMembership(tx: DbTx, input: { orgId: string; userId: string; role: Role }) {
  return tx.membership.create({ data: { orgId: input.orgId, userId: input.userId, role: input.role }, select: { id: true } });
}
