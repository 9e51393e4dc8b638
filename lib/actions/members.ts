'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import type { OrgAccess } from '../auth/access';
import { assertCan, OWNER_RULES, parseRole, ROLES, type Role } from '../auth/permissions';
import { withOrgLock } from '../data/locks';
import { AppError } from '../shared/errors';
import { isUniqueViolation, type DbTx } from '../prisma';
import { authedAction, requestOrigin } from './safe-action';
import { notify } from '../notifications/notify';

const roleSchema = z.enum(ROLES, { error: 'Role must be owner, admin, member or viewer.' });
const ALREADY_MEMBER = 'This user is already a member.';

/** Only owners grant, change or remove the owner role. */
function assertMayTouchOwners(callerRole: Role, ...roles: Role[]): void {
  if (roles.includes('owner')) assertCan({ role: callerRole }, 'member:grant-owner');
}

/**
 * A change to one member, made under the organization's lock so that it keeps an owner
 * (lib/data/locks.ts): the caller's role is checked again there, and the target is read as it is.
 */
async function changeMembership(
  access: OrgAccess,
  membershipId: string,
  change: (tx: DbTx, target: { id: string; userId: string; role: Role }, callerRole: Role) => Promise<void>,
): Promise<void> {
  await withOrgLock(
    access,
    'member:manage',
    async (tx, callerRole) => {
      const target = await tx.membership.findFirst({ where: { id: membershipId, orgId: access.org.id }, select: { id: true, userId: true, role: true } });
      if (!target) throw new AppError('not_found');
      await change(tx, { ...target, role: parseRole(target.role) }, callerRole);
    },
    { keepAnOwner: OWNER_RULES.lastOwner },
  );
}

const orgSchema = z.string().min(1).max(64);
const manage = { permission: 'member:manage', org: (input: { org: string }) => ({ name: input.org }) } as const;

export const addMember = authedAction(
  {
    name: 'add-member',
    schema: z.object({ org: orgSchema, email: z.string().trim().toLowerCase().email('Enter a valid email address.'), role: roleSchema }),
    ...manage,
  },
  async (input, { user, access }) => {
    assertMayTouchOwners(access.role, input.role);
    const invitee = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (!invitee)
      throw new AppError('not_found', 'No user has this email. They need to sign up first.', { fieldErrors: { email: ['No user has this email.'] } });
    const origin = await requestOrigin(user);
    try {
      // Writes first; the unique index answers "already a member", also when two add the same person at once.
      await db.$transaction(async (tx) => {
        await tx.membership.create({ data: { orgId: access.org.id, userId: invitee.id, role: input.role }, select: { id: true } });
        await recordAudit(tx, { action: 'member.added', orgId: access.org.id, subjectUserId: invitee.id, details: { role: input.role }, origin });
        await notify(tx, { kind: 'member.added', orgId: access.org.id, subjectUserId: invitee.id, origin, facts: { role: input.role } });
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
  { name: 'change-member-role', schema: z.object({ org: orgSchema, membershipId: z.string().min(1).max(64), role: roleSchema }), ...manage },
  async (input, { user, access }) => {
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
      await notify(tx, {
        kind: 'member.role_changed',
        orgId: access.org.id,
        subjectUserId: target.userId,
        origin,
        facts: { role: input.role, previousRole: target.role },
      });
    });
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);

export const removeMember = authedAction(
  { name: 'remove-member', schema: z.object({ org: orgSchema, membershipId: z.string().min(1).max(64) }), ...manage },
  async (input, { user, access }) => {
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
