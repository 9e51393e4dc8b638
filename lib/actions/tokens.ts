'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { createPersonalAccessToken } from '../tokens/personal-access-tokens';
import { TOKEN_SCOPES } from '../tokens/scopes';
import { authedAction, fail, NOT_FOUND } from './safe-action';

const DAY_MS = 24 * 60 * 60 * 1000;

const createTokenSchema = z
  .object({
    name: z.string().trim().min(1, 'Enter a name for the token.').max(64, 'Name is at most 64 characters.'),
    org: z.string().min(1, 'Choose an organization.').max(64),
    scope: z.enum(TOKEN_SCOPES, { error: 'Choose a scope.' }),
    expiration: z.enum(['7', '30', '90', 'date', 'none'], { error: 'Choose an expiration.' }),
    expiresOn: z.string().optional(),
  })
  .transform((input, ctx) => {
    let expiresAt: Date | null = null;
    if (input.expiration === 'date') {
      const date = /^\d{4}-\d{2}-\d{2}$/.test(input.expiresOn ?? '') ? new Date(`${input.expiresOn}T23:59:59.999Z`) : null;
      if (!date || Number.isNaN(date.getTime()) || date.getTime() <= Date.now()) {
        ctx.addIssue({ code: 'custom', path: ['expiresOn'], message: 'Choose a date in the future.' });
        return z.NEVER;
      }
      if (date.getTime() > Date.now() + 366 * DAY_MS) {
        ctx.addIssue({ code: 'custom', path: ['expiresOn'], message: 'Choose a date within a year, or no expiration.' });
        return z.NEVER;
      }
      expiresAt = date;
    } else if (input.expiration !== 'none') {
      expiresAt = new Date(Date.now() + Number(input.expiration) * DAY_MS);
    }
    return { name: input.name, org: input.org, scope: input.scope, expiresAt };
  });

/** Creates a personal access token. The token is in this answer once, and never again. */
export const createToken = authedAction('create-token', createTokenSchema, async (input, user) => {
  let orgId: string | null = null;
  if (input.org !== '*') {
    const membership = await db.membership.findFirst({
      where: { userId: user.id, org: { name: input.org } },
      select: { orgId: true },
    });
    if (!membership) return fail(NOT_FOUND, { org: ['Choose one of your organizations.'] });
    orgId = membership.orgId;
  }
  const { token, record } = await createPersonalAccessToken(db, serverEnv().keySecrets.digestSecret, {
    userId: user.id,
    orgId,
    name: input.name,
    scopes: [input.scope],
    expiresAt: input.expiresAt,
  });
  revalidatePath('/settings/tokens');
  return { ok: true, data: { token, name: record.name } };
});

/** Revokes one of the user's own tokens; it stops working at once. */
export const revokeToken = authedAction(
  'revoke-token',
  z.object({ tokenId: z.string().min(1).max(64) }),
  async (input, user) => {
    const revoked = await db.personalAccessToken.updateMany({
      where: { id: input.tokenId, userId: user.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) return fail(NOT_FOUND);
    revalidatePath('/settings/tokens');
    return { ok: true, data: null };
  },
);
