'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import type { OrgAccess } from '../auth/access';
import { OWNER_RULES, parseRole, type Role } from '../auth/permissions';
import { assertMayTouchOwners, manageMembers, orgSchema, roleSchema } from './member-rules';
import { withOrgLock } from '../data/locks';
import { AppError } from '../shared/errors';
import type { DbTx } from '../prisma';
import { authedAction, requestOrigin } from './safe-action';
import { notify } from '../notifications/notify';

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

export const changeMemberRole = authedAction(
  {
    name: 'change-member-role',
    schema: z.object({ org: orgSchema, membershipId: z.string().min(1).max(64), role: roleSchema }),
    ...manageMembers,
    stepUp: true,
  },
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
  { name: 'remove-member', schema: z.object({ org: orgSchema, membershipId: z.string().min(1).max(64) }), ...manageMembers, stepUp: true },
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
