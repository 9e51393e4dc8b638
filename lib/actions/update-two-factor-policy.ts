'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { hasSecondFactor } from '../auth/two-factor';
import { AppError } from '../shared/errors';
import { authedAction, requestOrigin } from './safe-action';

const updateTwoFactorPolicySchema = z.object({
  org: z.string().min(1).max(64),
  require: z.enum(['on', 'off']),
});

const OWN_TWO_FACTOR_FIRST = 'Turn on two-factor authentication for your own account first (Security, in your user menu).';

/**
 * Turns the organization's policy "Require two-factor authentication" on or off (owners only).
 * On, every member without it is refused in the organization until they set it up: its pages
 * send them to Security, its actions and their tokens answer 403 naming the policy. The owner
 * turning it on must have it, so that the policy never shuts out the one who set it. Audited.
 */
export const updateTwoFactorPolicy = authedAction(
  { name: 'update-two-factor-policy', schema: updateTwoFactorPolicySchema, stepUp: true, permission: 'org:security', org: (input) => ({ name: input.org }) },
  async (input, { user, access }) => {
    const required = input.require === 'on';
    if (required && !(await hasSecondFactor(db, user.id))) throw new AppError('invalid', OWN_TWO_FACTOR_FIRST);
    const origin = await requestOrigin(user);
    await db.$transaction(async (tx) => {
      // Writes first, and only a change: the same request twice records one event.
      const { count } = await tx.organization.updateMany({ where: { id: access.org.id, requireTwoFactor: !required }, data: { requireTwoFactor: required } });
      if (count > 0) await recordAudit(tx, { action: 'org.two_factor_policy_changed', orgId: access.org.id, origin, details: { requireTwoFactor: required } });
    });
    revalidatePath(`/${access.org.name}/settings/security`);
    return { required };
  },
);
