import 'server-only';
import type { OrgAccess } from '../auth/access';
import type { Granted } from '../auth/permissions';
import { db } from '../db';

/** The organization's current OAuth clients, newest first: never a secret (only its digest is stored). */
export async function listOAuthClients(access: Granted<OrgAccess, 'oauth_client:manage'>) {
  return db.oAuthClient.findMany({
    where: { orgId: access.org.id, deletedAt: null },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    select: {
      id: true,
      name: true,
      description: true,
      clientId: true,
      scopes: true,
      createdAt: true,
      secretRegeneratedAt: true,
      lastUsedAt: true,
      createdBy: { select: { name: true } },
    },
  });
}

export type OAuthClientRow = Awaited<ReturnType<typeof listOAuthClients>>[number];
