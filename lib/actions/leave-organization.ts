'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { findOrgAccess } from '../auth/access';
import { OWNER_RULES } from '../auth/permissions';
import { keepingAnOwner } from '../data/locks';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

/**
 * The caller leaves an organization (any role). An owner may leave only while another owner
 * remains, also when two owners leave at the same moment (lib/data/locks.ts keepingAnOwner).
 */
export const leaveOrganization = authedAction('leave-organization', z.object({ org: z.string().min(1).max(64) }), async (input, user) => {
  const access = await findOrgAccess(user.id, { name: input.org });
  if (!access) throw new AppError('not_found');
  const origin = await requestOrigin(user);
  await keepingAnOwner(access, OWNER_RULES.soleOwnerLeaving, async (tx) => {
    const own = await tx.membership.findUnique({ where: { orgId_userId: { orgId: access.org.id, userId: user.id } }, select: { id: true, role: true } });
    if (!own) throw new AppError('not_found');
    await tx.membership.delete({ where: { id: own.id }, select: { id: true } });
    await recordAudit(tx, { action: 'member.left', orgId: access.org.id, subjectUserId: user.id, details: { previousRole: own.role }, origin });
  });
  revalidatePath('/', 'layout');
  return null;
});
