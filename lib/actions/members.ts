'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { findOrgAccess, type OrgAccess } from '../auth/access';
import { assertCan, can, OWNER_RULES, parseRole, REFUSALS, ROLES, type Role } from '../auth/permissions';
import type { CurrentUser } from '../auth/session';
import { keepingAnOwner } from '../data/locks';
import { AppError } from '../shared/errors';
import { isUniqueViolation, type DbTx } from '../prisma';
import { authedAction, requestOrigin } from './safe-action';

const roleSchema = z.enum(ROLES, { error: 'Role must be owner, admin or member.' });
const ALREADY_MEMBER = 'This user is already a member.';

/** The caller's access to the organization, when they may manage its members. */
async function managerAccess(user: CurrentUser, orgName: string): Promise<OrgAccess> {
  const access = await findOrgAccess(user.id, { name: orgName });
  if (!access) throw new AppError('not_found');
  assertCan(access, 'member:manage');
  return access;
}

/** Only owners grant, change or remove the owner role. */
function assertMayTouchOwners(callerRole: Role, ...roles: Role[]): void {
  if (roles.includes('owner') && !can(callerRole, 'member:grant-owner')) throw new AppError('forbidden', REFUSALS['member:grant-owner']);
}

/**
 * A change to one member, made so that the organization keeps an owner (lib/data/locks.ts): inside
 * the locked transaction it re-reads the caller's and the target's roles before the change.
 */
async function changeMembership(
  access: OrgAccess,
  membershipId: string,
  change: (tx: DbTx, target: { id: string; userId: string; role: Role }, callerRole: Role) => Promise<void>,
): Promise<void> {
  await keepingAnOwner(access, OWNER_RULES.lastOwner, async (tx) => {
    const [caller, target] = await Promise.all([
      tx.membership.findUnique({ where: { orgId_userId: { orgId: access.org.id, userId: access.userId } }, select: { role: true } }),
      tx.membership.findFirst({ where: { id: membershipId, orgId: access.org.id }, select: { id: true, userId: true, role: true } }),
    ]);
    if (!caller) throw new AppError('not_found');
    const callerRole = parseRole(caller.role);
    assertCan({ role: callerRole }, 'member:manage');
    if (!target) throw new AppError('not_found');
    await change(tx, { ...target, role: parseRole(target.role) }, callerRole);
  });
}

export const addMember = authedAction(
  'add-member',
  z.object({
    org: z.string().min(1).max(64),
    email: z.string().trim().toLowerCase().email('Enter a valid email address.'),
    role: roleSchema,
  }),
  async (input, user) => {
    const access = await managerAccess(user, input.org);
    assertMayTouchOwners(access.role, input.role);
    const invitee = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (!invitee) throw new AppError('not_found', 'No user has this email. They need to sign up first.', { fieldErrors: { email: ['No user has this email.'] } });
    const origin = await requestOrigin(user);
    try {
      // Writes first; the unique index answers "already a member", also when two add the same person at once.
      await db.$transaction(async (tx) => {
        await tx.membership.create({ data: { orgId: access.org.id, userId: invitee.id, role: input.role }, select: { id: true } });
        await recordAudit(tx, { action: 'member.added', orgId: access.org.id, subjectUserId: invitee.id, details: { role: input.role }, origin });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError('conflict', ALREADY_MEMBER, { fieldErrors: { email: [ALREADY_MEMBER] } });
      }
      throw error;
    }
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);

export const changeMemberRole = authedAction(
  'change-member-role',
  z.object({ org: z.string().min(1).max(64), membershipId: z.string().min(1).max(64), role: roleSchema }),
  async (input, user) => {
    const access = await managerAccess(user, input.org);
    const origin = await requestOrigin(user);
    await changeMembership(access, input.membershipId, async (tx, target, callerRole) => {
      assertMayTouchOwners(callerRole, input.role, target.role);
      if (target.role === input.role) return;
      await tx.membership.update({ where: { id: target.id }, data: { role: input.role }, select: { id: true } });
      await recordAudit(tx, {
        action: 'member.role_changed',
        orgId: access.org.id,
        subjectUserId: target.userId,
        details: { role: input.role, previousRole: target.role },
        origin,
      });
    });
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);

export const removeMember = authedAction(
  'remove-member',
  z.object({ org: z.string().min(1).max(64), membershipId: z.string().min(1).max(64) }),
  async (input, user) => {
    const access = await managerAccess(user, input.org);
    const origin = await requestOrigin(user);
    await changeMembership(access, input.membershipId, async (tx, target, callerRole) => {
      assertMayTouchOwners(callerRole, target.role);
      await tx.membership.delete({ where: { id: target.id }, select: { id: true } });
      await recordAudit(tx, {
        action: 'member.removed',
        orgId: access.org.id,
        subjectUserId: target.userId,
        details: { previousRole: target.role },
        origin,
      });
    });
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);
