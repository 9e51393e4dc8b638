'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { changeMemberRoleIn, removeMemberFrom } from '../data/member-changes';
import { manageMembers, orgSchema, roleSchema } from './member-rules';
import { authedAction, requestOrigin } from './safe-action';

// The portal's doors to lib/data/member-changes.ts, which PATCH and DELETE /v1/members/{userId} also use.

export const changeMemberRole = authedAction(
  {
    name: 'change-member-role',
    schema: z.object({ org: orgSchema, membershipId: z.string().min(1).max(64), role: roleSchema }),
    ...manageMembers,
    stepUp: true,
  },
  async (input, { user, access }) => {
    await changeMemberRoleIn(access, { membershipId: input.membershipId }, input.role, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);

export const removeMember = authedAction(
  { name: 'remove-member', schema: z.object({ org: orgSchema, membershipId: z.string().min(1).max(64) }), ...manageMembers, stepUp: true },
  async (input, { user, access }) => {
    await removeMemberFrom(access, { membershipId: input.membershipId }, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);
