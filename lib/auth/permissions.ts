import { AppError } from '../shared/errors';

/** Organization roles, most powerful first. */
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export function parseRole(value: string): Role {
  if ((ROLES as readonly string[]).includes(value)) return value as Role;
  // A role the code does not know is data corruption, not a user error: never grant anything.
  throw new Error('Unknown role in the database');
}

/** Everything a role can be allowed to do in an organization. */
export const PERMISSIONS = {
  'key:view': ['owner', 'admin', 'member'],
  'key:regenerate': ['owner', 'admin'],
  'app:create': ['owner', 'admin'],
  'app:update': ['owner', 'admin'],
  'app:delete': ['owner', 'admin'],
  'member:manage': ['owner', 'admin'],
  'member:grant-owner': ['owner'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof PERMISSIONS;

/** One wording per refusal, used by pages, actions and the API alike. */
export const REFUSALS: Record<Permission, string> = {
  'key:view': 'Only members of the organization can see its keys.',
  'key:regenerate': 'Only owners and admins can regenerate keys.',
  'app:create': 'Only owners and admins can create apps.',
  'app:update': 'Only owners and admins can rename an app or edit its description.',
  'app:delete': 'Only owners and admins can delete an app.',
  'member:manage': 'Only owners and admins can manage members.',
  'member:grant-owner': 'Only owners can grant or change the owner role.',
};

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

/** Throws a `forbidden` AppError with the permission's wording when the role lacks it. */
export function assertCan(access: { role: Role }, permission: Permission): void {
  if (!can(access.role, permission)) throw new AppError('forbidden', REFUSALS[permission]);
}

/** An organization always keeps an owner: the wording of what that rule refuses, for pages and actions. */
export const OWNER_RULES = {
  lastOwner: 'An organization needs at least one owner.',
  soleOwnerLeaving: 'You are the only owner. Make another member an owner before you leave.',
  soleOwnerRow: 'The only owner. Make another member an owner first to change or remove this one.',
} as const;
