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
  /**
   * The organization requires two-factor authentication and this user has none: every
   * permission but leaving is refused (lib/auth/permissions.ts grant), and its pages send the
   * user to set it up.
   */
  readonly missingTwoFactor: boolean;
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

type OrgRow = { id: string; name: string; requireTwoFactor: boolean };
type MemberRow = { role: string; user: { twoFactor: { confirmedAt: Date | null } | null; _count: { passkeys: number } } };

/** What each access query selects of the organization and of the caller's membership. */
const ORG_SELECT = { id: true, name: true, requireTwoFactor: true } as const;
// Two-factor authentication is on with a confirmed authenticator app or a passkey (lib/auth/two-factor.ts secondFactors).
const memberSelect = { role: true, user: { select: { twoFactor: { select: { confirmedAt: true } }, _count: { select: { passkeys: true } } } } } as const;

function orgAccess(userId: string, org: OrgRow, member: MemberRow): OrgAccess {
  const missingTwoFactor = org.requireTwoFactor && !member.user.twoFactor?.confirmedAt && member.user._count.passkeys === 0;
  return { userId, org: { id: org.id, name: org.name }, role: parseRole(member.role), missingTwoFactor } as OrgAccess;
}

/** The organization, when the user is a member of it (and the token, if any, covers it); else null. */
export async function findOrgAccess(userId: string, ref: OrgRef, options: AccessOptions = {}): Promise<OrgAccess | null> {
  const membership = await db.membership.findFirst({
    where: {
      userId,
      org: { ...('id' in ref ? { id: ref.id } : { name: canonicalName(ref.name) }), ...(options.tokenOrgId ? { id: options.tokenOrgId } : {}) },
    },
    select: { ...memberSelect, org: { select: ORG_SELECT } },
  });
  if (!membership) return null;
  if (options.tokenOrgId && 'id' in ref && ref.id !== options.tokenOrgId) return null;
  return orgAccess(userId, membership.org, membership);
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
      org: { select: { ...ORG_SELECT, members: { where: { userId }, select: memberSelect } } },
    },
  });
  const membership = app?.org.members[0];
  if (!app || !membership) return null;
  return {
    ...orgAccess(userId, app.org, membership),
    app: { id: app.id, name: app.name, description: app.description, createdAt: app.createdAt },
  } as AppAccess;
}

/** Every organization the user belongs to, oldest membership first. */
export async function listOrgAccess(userId: string): Promise<OrgAccess[]> {
  const memberships = await db.membership.findMany({
    where: { userId },
    orderBy: { createdAt: 'asc' },
    select: { ...memberSelect, org: { select: ORG_SELECT } },
  });
  return memberships.map((m) => orgAccess(userId, m.org, m));
}
