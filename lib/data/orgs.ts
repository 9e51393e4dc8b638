import 'server-only';
import type { OrgAccess } from '../auth/access';
import { db } from '../db';

/** The organization's members, oldest membership first. */
export async function listMembers(access: OrgAccess) {
  return db.membership.findMany({
    where: { orgId: access.org.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, role: true, user: { select: { id: true, name: true, email: true } } },
  });
}
