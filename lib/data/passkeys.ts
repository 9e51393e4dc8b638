import 'server-only';
import type { CurrentUser } from '../auth/session';
import { db } from '../db';

/** The signed-in user's own passkeys, oldest first (never their keys). */
export async function listPasskeys(user: CurrentUser) {
  return db.passkey.findMany({
    where: { userId: user.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, createdAt: true, lastUsedAt: true },
  });
}
