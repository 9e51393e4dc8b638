/** Organization roles, most powerful first. */
export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

/** Owners and admins may regenerate keys, create apps and manage members; members may view and copy. */
export function canManage(role: string): boolean {
  return role === 'owner' || role === 'admin';
}
