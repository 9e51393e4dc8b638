'use server';

import { revalidatePath } from 'next/cache';
import { recordAudit } from '../audit';
import { withOrgLock } from '../data/locks';
import { AppError } from '../shared/errors';
import { deleteOAuthClient as removeClient } from '../tokens/oauth-clients';
import { oauthClientRefSchema } from './oauth-client-input';
import { authedAction, requestOrigin } from './safe-action';

/**
 * Deletes an OAuth client (owners and admins, after a recent sign-in): its secret and every
 * access token issued to it stop at once. Its row stays, marked deleted, so that Activity still
 * names it; the name stays taken.
 */
export const deleteOAuthClient = authedAction(
  { name: 'delete-oauth-client', schema: oauthClientRefSchema, stepUp: true, permission: 'oauth_client:manage', org: (input) => ({ name: input.org }) },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    const name = await withOrgLock(access, 'oauth_client:manage', async (tx) => {
      const client = await tx.oAuthClient.findFirst({
        where: { clientId: input.clientId, orgId: access.org.id, deletedAt: null },
        select: { id: true, name: true },
      });
      if (!client || !(await removeClient(tx, { id: client.id, orgId: access.org.id }))) throw new AppError('not_found');
      await recordAudit(tx, { action: 'oauth_client.deleted', orgId: access.org.id, subjectOAuthClientId: client.id, origin });
      return client.name;
    });
    revalidatePath(`/${access.org.name}/settings/oauth-clients`);
    return { name };
  },
);
