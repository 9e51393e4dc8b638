'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { recordAudit } from '../audit';
import { findOrgAccess } from '../auth/access';
import { AppError } from '../shared/errors';
import { createPersonalAccessToken } from '../tokens/personal-access-tokens';
import { TOKEN_SCOPES } from '../tokens/scopes';
import { DAY_MS } from '../shared/time';
import { authedAction, requestOrigin } from './safe-action';
import { isUniqueViolation } from '../prisma';
import { notify } from '../notifications/notify';

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

/** Creates a personal access token. The token is in this answer once, and never again. Names are unique per user. */
export const createToken = authedAction({ name: 'create-token', schema: createTokenSchema, stepUp: true }, async (input, { user }) => {
  let orgId: string | null = null;
  let orgName: string | undefined;
  if (input.org !== '*') {
    const access = await findOrgAccess(user.id, { name: input.org });
    if (!access) throw new AppError('not_found', 'Not found.', { fieldErrors: { org: ['Choose one of your organizations.'] } });
    orgId = access.org.id;
    orgName = access.org.name;
  }
  const origin = await requestOrigin(user);
  let created;
  try {
    created = await db.$transaction(async (tx) => {
      const made = await createPersonalAccessToken(tx, serverEnv().keySecrets.digestSecret, {
        userId: user.id,
        orgId,
        name: input.name,
        scopes: [input.scope],
        expiresAt: input.expiresAt,
      });
      await recordAudit(tx, { action: 'token.created', orgId, subjectTokenId: made.record.id, origin });
      // The token's owner only (not the organization's admins): it is their account. Its name, never the token.
      await notify(tx, { kind: 'token.created', userIds: [user.id], origin, facts: { tokenName: made.record.name, ...(orgName ? { org: orgName } : {}) } });
      return made;
    });
  } catch (error) {
    // The unique index on (userId, name) answers a name in use, also when two forms send it at once.
    if (isUniqueViolation(error)) {
      const taken = `You already have a token named ${input.name}. Token names are unique, revoked and expired tokens included.`;
      throw new AppError('conflict', taken, { fieldErrors: { name: [taken] } });
    }
    throw error;
  }
  const { token, record } = created;
  revalidatePath('/settings/tokens');
  return { token, name: record.name };
});

/** Revokes one of the user's own tokens; it stops working at once. */
export const revokeToken = authedAction({ name: 'revoke-token', schema: z.object({ tokenId: z.string().min(1).max(64) }) }, async (input, { user }) => {
  const origin = await requestOrigin(user);
  await db.$transaction(async (tx) => {
    // Writes first: only a current token of the caller's own is revoked, once.
    const revoked = await tx.personalAccessToken.updateMany({
      where: { id: input.tokenId, userId: user.id, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    if (revoked.count === 0) throw new AppError('not_found');
    const token = await tx.personalAccessToken.findUniqueOrThrow({ where: { id: input.tokenId }, select: { orgId: true } });
    await recordAudit(tx, { action: 'token.revoked', orgId: token.orgId, subjectTokenId: input.tokenId, origin });
  });
  revalidatePath('/settings/tokens');
  return null;
});
