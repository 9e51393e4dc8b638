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
  /** The member acting; null for an OAuth client, which has no user. */
  readonly userId: string | null;
  /** The OAuth client acting (as an admin of its own organization), or null for a member. */
  readonly oauthClientId: string | null;
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
  return { userId, oauthClientId: null, org: { id: org.id, name: org.name }, role: parseRole(member.role), missingTwoFactor } as OrgAccess;
}

/**
 * The role an OAuth client acts with in its organization: an admin, never an owner (its scopes
 * limit it further). It has no user, so no two-factor policy applies to it.
 */
export const OAUTH_CLIENT_ROLE = 'admin' satisfies Role;

function clientAccess(oauthClientId: string, org: OrgRow): OrgAccess {
  return { userId: null, oauthClientId, org: { id: org.id, name: org.name }, role: OAUTH_CLIENT_ROLE, missingTwoFactor: false } as OrgAccess;
}

/** The client's own organization, when the client exists, is not deleted and belongs to it (by id or name); else null. */
export async function findClientOrgAccess(oauthClientId: string, ref: OrgRef): Promise<OrgAccess | null> {
  const client = await db.oAuthClient.findFirst({
    where: { id: oauthClientId, deletedAt: null, org: 'id' in ref ? { id: ref.id } : { name: canonicalName(ref.name) } },
    select: { org: { select: ORG_SELECT } },
  });
  return client ? clientAccess(oauthClientId, client.org) : null;
}

/** An app of the client's own organization, when the client exists and is not deleted; else null. */
export async function findClientAppAccess(oauthClientId: string, ref: AppRef): Promise<AppAccess | null> {
  const app = await db.app.findFirst({
    where: {
      ...('id' in ref ? { id: ref.id } : { name: canonicalName(ref.appName) }),
      org: { ...('orgName' in ref ? { name: canonicalName(ref.orgName) } : {}), oauthClients: { some: { id: oauthClientId, deletedAt: null } } },
    },
    select: { id: true, name: true, description: true, createdAt: true, org: { select: ORG_SELECT } },
  });
  if (!app) return null;
  return { ...clientAccess(oauthClientId, app.org), app: { id: app.id, name: app.name, description: app.description, createdAt: app.createdAt } } as AppAccess;
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
