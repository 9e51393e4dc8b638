'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { OWNER_RULES } from '../auth/permissions';
import { withOrgLock } from '../data/locks';
import { authedAction, requestOrigin } from './safe-action';

/**
 * The caller leaves an organization (any role). An owner may leave only while another owner
 * remains, also when two owners leave at the same moment (lib/data/locks.ts withOrgLock).
 */
export const leaveOrganization = authedAction(
  { name: 'leave-organization', schema: z.object({ org: z.string().min(1).max(64) }), permission: 'org:leave', org: (input) => ({ name: input.org }) },
  async (_input, { user, access }) => {
    const origin = await requestOrigin(user);
    await withOrgLock(
      access,
      'org:leave',
      async (tx, role) => {
        await tx.membership.delete({ where: { orgId_userId: { orgId: access.org.id, userId: user.id } }, select: { id: true } });
        await recordAudit(tx, { action: 'member.left', orgId: access.org.id, subjectUserId: user.id, details: { previousRole: role }, origin });
      },
      { keepAnOwner: OWNER_RULES.soleOwnerLeaving },
    );
    revalidatePath('/', 'layout');
    return null;
  },
);
