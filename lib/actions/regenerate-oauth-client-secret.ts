'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { withOrgLock } from '../data/locks';
import { serverEnv } from '../env';
import { AppError } from '../shared/errors';
import { regenerateOAuthClientSecret as replaceSecret } from '../tokens/oauth-clients';
import { oauthClientRefSchema, TYPE_THE_CLIENT_ID } from './oauth-client-input';
import { authedAction, requestOrigin } from './safe-action';

const regenerateSchema = oauthClientRefSchema.extend({ confirmClientId: z.string().max(100) });

/**
 * Gives an OAuth client a new secret (owners and admins, after a recent sign-in, once they typed
 * its client id). The old secret and every access token issued to the client stop at once; the
 * new secret is in this answer once.
 */
export const regenerateOAuthClientSecret = authedAction(
  { name: 'regenerate-oauth-client-secret', schema: regenerateSchema, stepUp: true, permission: 'oauth_client:manage', org: (input) => ({ name: input.org }) },
  async (input, { user, access }) => {
    if (input.confirmClientId.trim() !== input.clientId) {
      throw new AppError('invalid', TYPE_THE_CLIENT_ID, { fieldErrors: { confirmClientId: [TYPE_THE_CLIENT_ID] } });
    }
    const origin = await requestOrigin(user);
    const result = await withOrgLock(access, 'oauth_client:manage', async (tx) => {
      const client = await tx.oAuthClient.findFirst({
        where: { clientId: input.clientId, orgId: access.org.id, deletedAt: null },
        select: { id: true, name: true },
      });
      if (!client) throw new AppError('not_found');
      const replaced = await replaceSecret(tx, serverEnv().keySecrets.digestSecret, { id: client.id, orgId: access.org.id });
      if (!replaced) throw new AppError('not_found');
      await recordAudit(tx, { action: 'oauth_client.secret_regenerated', orgId: access.org.id, subjectOAuthClientId: client.id, origin });
      return { name: client.name, clientSecret: replaced.clientSecret };
    });
    revalidatePath(`/${access.org.name}/settings/oauth-clients`);
    return { name: result.name, clientId: input.clientId, clientSecret: result.clientSecret };
  },
);
