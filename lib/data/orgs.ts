import 'server-only';
import { db } from '../db';

/** The organization named `orgName` with the user's role in it, or null when the user is not a member. */
export async function getOrgForUser(userId: string, orgName: string) {
  const membership = await db.membership.findFirst({
    where: { userId, org: { name: orgName } },
    select: { role: true, org: { select: { id: true, name: true } } },
  });
  return membership ? { ...membership.org, role: membership.role } : null;
}

export async function listOrgsForUser(userId: string) {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { role: true, org: { select: { id: true, name: true } } },
  });
  return memberships.map((m) => ({ ...m.org, role: m.role }));
}

export async function listMembers(orgId: string) {
  return db.membership.findMany({
    where: { orgId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, role: true, user: { select: { id: true, name: true, email: true } } },
  });
}
