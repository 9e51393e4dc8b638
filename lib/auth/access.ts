import 'server-only';
import { db } from '../db';
import { canonicalName } from '../names';
import { parseRole, type Role } from './permissions';

declare const checked: unique symbol;

/**
 * Proof that a caller's membership of an organization was checked, with their role. Only this
 * module makes one: functions that read or change an organization's data take it instead of a
 * bare id, so that an unscoped call does not compile.
 */
export type OrgAccess = {
  readonly [checked]: true;
  readonly userId: string;
  readonly org: { readonly id: string; readonly name: string };
  readonly role: Role;
};

/** An app the caller may see, with the organization's access. */
export type AppAccess = OrgAccess & {
  readonly app: { readonly id: number; readonly name: string; readonly description: string; readonly createdAt: Date };
};

/** Names from a URL are matched regardless of case: names are stored lowercase (lib/names.ts). */
export type OrgRef = { name: string } | { id: string };
export type AppRef = { orgName: string; appName: string } | { id: number };

/**
 * A personal access token may be limited to one organization: then nothing outside it is found.
 * `undefined` (a portal session) and `null` (a token for all of the user's organizations) mean
 * no limit beyond membership.
 */
export type AccessOptions = { tokenOrgId?: string | null };

function orgAccess(userId: string, org: { id: string; name: string }, role: string): OrgAccess {
  return { userId, org: { id: org.id, name: org.name }, role: parseRole(role) } as OrgAccess;
}

/** The organization, when the user is a member of it (and the token, if any, covers it); else null. */
export async function findOrgAccess(userId: string, ref: OrgRef, options: AccessOptions = {}): Promise<OrgAccess | null> {
  const membership = await db.membership.findFirst({
    where: {
      userId,
      org: { ...('id' in ref ? { id: ref.id } : { name: canonicalName(ref.name) }), ...(options.tokenOrgId ? { id: options.tokenOrgId } : {}) },
    },
    select: { role: true, org: { select: { id: true, name: true } } },
  });
  if (!membership) return null;
  if (options.tokenOrgId && 'id' in ref && ref.id !== options.tokenOrgId) return null;
  return orgAccess(userId, membership.org, membership.role);
}

/** The app, when the user is a member of its organization (and the token, if any, covers it); else null. */
export async function findAppAccess(userId: string, ref: AppRef, options: AccessOptions = {}): Promise<AppAccess | null> {
  const app = await db.app.findFirst({
    where: {
      ...('id' in ref ? { id: ref.id } : { name: canonicalName(ref.appName) }),
      org: {
        ...('orgName' in ref ? { name: canonicalName(ref.orgName) } : {}),
        ...(options.tokenOrgId ? { id: options.tokenOrgId } : {}),
        members: { some: { userId } },
      },
    },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      org: { select: { id: true, name: true, members: { where: { userId }, select: { role: true } } } },
    },
  });
  const membership = app?.org.members[0];
  if (!app || !membership) return null;
  return {
    ...orgAccess(userId, app.org, membership.role),
    app: { id: app.id, name: app.name, description: app.description, createdAt: app.createdAt },
  } as AppAccess;
}

/** Every organization the user belongs to, oldest membership first. */
export async function listOrgAccess(userId: string): Promise<OrgAccess[]> {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { role: true, org: { select: { id: true, name: true } } },
  });
  return memberships.map((m) => orgAccess(userId, m.org, m.role));
}
