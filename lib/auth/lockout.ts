import type { Db } from '../prisma';

/** Sign-in lock-out: this many failures for one e-mail within the window refuse further tries. */
export const LOGIN_LOCKOUT = { maxFailures: 10, windowMinutes: 15 } as const;

export async function isLockedOut(db: Db, email: string, now = new Date()): Promise<boolean> {
  const since = new Date(now.getTime() - LOGIN_LOCKOUT.windowMinutes * 60_000);
  const failures = await db.loginFailure.count({ where: { email, createdAt: { gte: since } } });
  return failures >= LOGIN_LOCKOUT.maxFailures;
}

export async function recordLoginFailure(db: Db, email: string): Promise<void> {
  await db.loginFailure.create({ data: { email } });
}
