import { AppError } from '../shared/errors';
import type { AppAccess, OrgAccess } from './access';

/** Organization roles, most powerful first. */
export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  // A role the code does not know is data corruption, not a user error: never grant anything.
  throw new Error('Unknown role in the database');
}

/** Everything a role can be allowed to do in an organization. */
export const PERMISSIONS = {
  // Every role sees the organization's apps, their keys' usage and the activity; a viewer never a key.
  'app:view': ['owner', 'admin', 'member', 'viewer'],
  'key:view': ['owner', 'admin', 'member'],
  'key:regenerate': ['owner', 'admin'],
  'app:create': ['owner', 'admin'],
  'app:update': ['owner', 'admin'],
  'app:delete': ['owner', 'admin'],
  'member:manage': ['owner', 'admin'],
  'member:grant-owner': ['owner'],
  'org:leave': ['owner', 'admin', 'member', 'viewer'],
  'org:security': ['owner'],
  'oauth_client:manage': ['owner', 'admin'],
  'webhook:manage': ['owner', 'admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** One wording per refusal, used by pages, actions and the API alike. */
export const REFUSALS: Record<Permission, string> = {
  'app:view': 'Only members of the organization can see its apps.',
  'key:view': "Viewers can't see API keys.",
  'key:regenerate': 'Only owners and admins can regenerate keys.',
  'app:create': 'Only owners and admins can create apps.',
  'app:update': 'Only owners and admins can rename an app or edit its description.',
  'app:delete': 'Only owners and admins can delete an app.',
  'member:manage': 'Only owners and admins can manage members.',
  'member:grant-owner': 'Only owners can grant or change the owner role.',
  'org:leave': 'Only members can leave an organization.',
  'org:security': "Only owners can change the organization's security policy.",
  'oauth_client:manage': 'Only owners and admins can see and manage OAuth clients.',
  'webhook:manage': 'Only owners and admins can manage webhooks.',
};

/** The policy's refusal for a member without two-factor authentication, naming the policy. */
export function twoFactorPolicyRefusal(orgName: string): AppError {
  return new AppError(
    'forbidden',
    `${orgName} requires two-factor authentication (its policy "Require two-factor authentication"). Set it up under Security in your account first.`,
    { apiCode: 'forbidden' },
  );
}

/**
 * What the roles may do, in words: the Members page's table and docs/security.md's roles table
 * (tests/unit/roles-table.test.ts keeps the docs equal to it). Each line is one permission's roles.
 */
export const ROLE_ABILITIES: readonly { permission: Permission; may: string }[] = [
  { permission: 'app:view', may: "see the apps, each key's use and the Activity page" },
  { permission: 'key:view', may: 'see and copy API keys' },
  { permission: 'key:regenerate', may: 'regenerate keys' },
  { permission: 'app:create', may: 'create, rename, edit and delete apps' },
  { permission: 'member:manage', may: 'invite members, change their roles and remove them (not owners)' },
  { permission: 'member:grant-owner', may: 'invite owners, grant, change or remove the owner role' },
  { permission: 'org:security', may: 'change the security policy (Require two-factor authentication)' },
  { permission: 'oauth_client:manage', may: 'create, regenerate and delete OAuth clients' },
  { permission: 'webhook:manage', may: 'manage webhooks: endpoints, signing secrets, the delivery log' },
  { permission: 'org:leave', may: 'leave the organization (not its only owner)' },
];

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/**
 * The one refusal of a permission, for every door: the permission's wording, and Spice's
 * `forbidden` code for API clients. The wrappers' check and the check under a lock throw the same.
 */
export function refusal(permission: Permission): AppError {
  return new AppError('forbidden', REFUSALS[permission], { apiCode: 'forbidden' });
}

/** Throws the permission's refusal when the role lacks it. */
export function assertCan(access: { role: Role }, permission: Permission): void {
  if (!can(access.role, permission)) throw refusal(permission);
}

declare const granted: unique symbol;

/**
 * Proof that the caller's role was checked for the permissions `P` on this access: only `grant`
 * (which checks) makes one. Functions that must not run unchecked take it, so that forgetting
 * the check does not compile: a key's plaintext is read only with a `KeyViewAccess`.
 */
export type Granted<A extends OrgAccess, P extends Permission> = A & { readonly [granted]: { readonly [K in Single<P>]: true } };

/** P when it names one permission; never for a union (a permission typed widely proves nothing). */
type Single<P, Q = P> = P extends unknown ? ([Q] extends [P] ? P : never) : never;

/** An app whose keys the caller may see. */
export type KeyViewAccess = Granted<AppAccess, 'key:view'>;

/** The access, proven to hold the permission; throws the permission's refusal otherwise. */
export function grant<A extends OrgAccess, P extends Permission>(access: A, permission: P): Granted<A, P> {
  // An organization that requires two-factor authentication lets a member without it only leave.
  if (access.missingTwoFactor && permission !== 'org:leave') throw twoFactorPolicyRefusal(access.org.name);
  assertCan(access, permission);
  return access as Granted<A, P>;
}

/** The proof when the role holds the permission, else null (for pages that show less instead of refusing). */
export function grantIf<A extends OrgAccess, P extends Permission>(access: A, permission: P): Granted<A, P> | null {
  return can(access.role, permission) && !(access.missingTwoFactor && permission !== 'org:leave') ? (access as Granted<A, P>) : null;
}

/** An organization always keeps an owner: the wording of what that rule refuses, for pages and actions. */
export const OWNER_RULES = {
  lastOwner: 'An organization needs at least one owner.',
  soleOwnerLeaving: 'You are the only owner. Make another member an owner before you leave.',
  soleOwnerRow: 'The only owner. Make another member an owner first to change or remove this one.',
} as const;
