import 'server-only';
import type { CurrentUser } from '../auth/session';
import { db } from '../db';

/** The signed-in user's own personal access tokens, newest first (never their digests). */
export async function listTokens(user: CurrentUser) {
  return db.personalAccessToken.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: 'desc' },
    select: { id: true, name: true, scopes: true, lastFour: true, createdAt: true, lastUsedAt: true, expiresAt: true, revokedAt: true, org: { select: { name: true } } },
  });
}
