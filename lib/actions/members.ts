'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { canManage, ROLES, type Role } from '../roles';
import type { CurrentUser } from '../auth/session';
import { authedAction, fail, NOT_FOUND } from './safe-action';

const roleSchema = z.enum(ROLES, { error: 'Role must be owner, admin or member.' });

/** The caller's membership of the organization, when they may manage its members. */
async function managerOf(
  user: CurrentUser,
  orgName: string,
): Promise<{ error: string } | { error?: undefined; membership: { role: string; orgId: string } }> {
  const membership = await db.membership.findFirst({
    where: { userId: user.id, org: { name: orgName } },
    select: { role: true, orgId: true },
  });
  if (!membership) return { error: NOT_FOUND };
  if (!canManage(membership.role)) return { error: 'Only owners and admins can manage members.' };
  return { membership };
}

/** Only owners grant, change or remove the owner role. */
function ownerOnly(callerRole: string, ...roles: string[]): string | null {
  return callerRole !== 'owner' && roles.includes('owner') ? 'Only owners can grant or change the owner role.' : null;
}

export const addMember = authedAction(
  'add-member',
  z.object({
    org: z.string().min(1).max(64),
    email: z.string().trim().toLowerCase().email('Enter a valid email address.'),
    role: roleSchema,
  }),
  async (input, user) => {
    const check = await managerOf(user, input.org);
    if (check.error !== undefined) return fail(check.error);
    const refused = ownerOnly(check.membership.role, input.role);
    if (refused) return fail(refused);
    const invitee = await db.user.findUnique({ where: { email: input.email }, select: { id: true } });
    if (!invitee) return fail('No user has this email. They need to sign up first.', { email: ['No user has this email.'] });
    const existing = await db.membership.findUnique({
      where: { orgId_userId: { orgId: check.membership.orgId, userId: invitee.id } },
      select: { id: true },
    });
    if (existing) return fail('This user is already a member.', { email: ['This user is already a member.'] });
    await db.membership.create({ data: { orgId: check.membership.orgId, userId: invitee.id, role: input.role } });
    revalidatePath(`/${input.org}/members`);
    return { ok: true, data: null };
  },
);

async function targetMembership(orgId: string, membershipId: string) {
  return db.membership.findFirst({ where: { id: membershipId, orgId }, select: { id: true, role: true } });
}

async function isLastOwner(orgId: string, role: string): Promise<boolean> {
  return role === 'owner' && (await db.membership.count({ where: { orgId, role: 'owner' } })) <= 1;
}

export const changeMemberRole = authedAction(
  'change-member-role',
  z.object({ org: z.string().min(1).max(64), membershipId: z.string().min(1).max(64), role: roleSchema }),
  async (input, user) => {
    const check = await managerOf(user, input.org);
    if (check.error !== undefined) return fail(check.error);
    const target = await targetMembership(check.membership.orgId, input.membershipId);
    if (!target) return fail(NOT_FOUND);
    const refused = ownerOnly(check.membership.role, input.role, target.role);
    if (refused) return fail(refused);
    if (input.role !== 'owner' && (await isLastOwner(check.membership.orgId, target.role))) {
      return fail('An organization needs at least one owner.');
    }
    await db.membership.update({ where: { id: target.id }, data: { role: input.role satisfies Role } });
    revalidatePath(`/${input.org}/members`);
    return { ok: true, data: null };
  },
);

export const removeMember = authedAction(
  'remove-member',
  z.object({ org: z.string().min(1).max(64), membershipId: z.string().min(1).max(64) }),
  async (input, user) => {
    const check = await managerOf(user, input.org);
    if (check.error !== undefined) return fail(check.error);
    const target = await targetMembership(check.membership.orgId, input.membershipId);
    if (!target) return fail(NOT_FOUND);
    const refused = ownerOnly(check.membership.role, target.role);
    if (refused) return fail(refused);
    if (await isLastOwner(check.membership.orgId, target.role)) return fail('An organization needs at least one owner.');
    await db.membership.delete({ where: { id: target.id } });
    revalidatePath(`/${input.org}/members`);
    return { ok: true, data: null };
  },
);
