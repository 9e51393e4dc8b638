'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { recordAudit } from '../audit';
import { withOrgLock } from '../data/locks';
import { serverEnv } from '../env';
import { notify } from '../notifications/notify';
import { isUniqueViolation } from '../prisma';
import { AppError } from '../shared/errors';
import { createOAuthClient as insertOAuthClient } from '../tokens/oauth-clients';
import { TOKEN_SCOPES } from '../tokens/scopes';
import { authedAction, requestOrigin } from './safe-action';

const createOAuthClientSchema = z.object({
  org: z.string().min(1).max(64),
  name: z.string().trim().min(1, 'Enter a name for the client.').max(64, 'Name is at most 64 characters.'),
  description: z.string().trim().max(200, 'Description is at most 200 characters.').optional().default(''),
  scope: z.enum(TOKEN_SCOPES, { error: 'Choose a scope.' }),
});

/**
 * Creates an OAuth client of the organization (owners and admins, after a recent sign-in). Its
 * id is public; its secret is in this answer once, and never again (only its digest is stored).
 * The organization's owners and admins are notified. Names are unique per organization, deleted
 * clients included.
 */
export const createOAuthClient = authedAction(
  { name: 'create-oauth-client', schema: createOAuthClientSchema, stepUp: true, permission: 'oauth_client:manage', org: (input) => ({ name: input.org }) },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    try {
      const created = await withOrgLock(access, 'oauth_client:manage', async (tx) => {
        const made = await insertOAuthClient(tx, serverEnv().keySecrets.digestSecret, {
          orgId: access.org.id,
          name: input.name,
          description: input.description,
          scopes: [input.scope],
          createdById: user.id,
        });
        await recordAudit(tx, { action: 'oauth_client.created', orgId: access.org.id, subjectOAuthClientId: made.record.id, origin });
        await notify(tx, { kind: 'oauth_client.created', orgId: access.org.id, origin, facts: { clientName: made.record.name, scopes: input.scope } });
        return made;
      });
      revalidatePath(`/${access.org.name}/settings/oauth-clients`);
      return { name: created.record.name, clientId: created.record.clientId, clientSecret: created.clientSecret };
    } catch (error) {
      if (isUniqueViolation(error)) {
        const taken = `${access.org.name} already has an OAuth client named ${input.name}. Client names are unique, deleted clients included.`;
        throw new AppError('conflict', taken, { fieldErrors: { name: [taken] } });
      }
      throw error;
    }
  },
);
