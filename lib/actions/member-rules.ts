import { z } from 'zod';
import { assertCan, can, ROLES, type Role } from '../auth/permissions';

// What the member and invitation actions share: their input, the owner rules, and their wording.

export const roleSchema = z.enum(ROLES, { error: 'Role must be owner, admin, member or viewer.' });
export const orgSchema = z.string().min(1).max(64);
export const emailSchema = z
  .string({ error: (issue) => (issue.input === undefined ? 'Email is required.' : 'Enter a valid email address.') })
  .trim()
  .toLowerCase()
  .email('Enter a valid email address.')
  .max(254, 'Enter a valid email address.');

/** The actions that manage members act on the organization named in the input, with `member:manage`. */
export const manageMembers = { permission: 'member:manage', org: (input: { org: string }) => ({ name: input.org }) } as const;

/** Only owners grant, change or remove the owner role (invitations to it included). */
export function assertMayTouchOwners(callerRole: Role, ...roles: Role[]): void {
  if (roles.includes('owner')) assertCan({ role: callerRole }, 'member:grant-owner');
}

/** Whether someone with `granterRole` may give `role` to a new member. */
export function mayGrant(granterRole: Role, role: Role): boolean {
  return can(granterRole, 'member:manage') && (role !== 'owner' || can(granterRole, 'member:grant-owner'));
}

export const INVITATION_MESSAGES = {
  alreadyMember: 'This person is already a member.',
  pending: 'An invitation to this address is pending. Resend or revoke it under Pending invitations.',
  pendingApi: 'An invitation to this address is pending: it can be resent or revoked in the portal, under Organization → Members → Pending invitations.',
  invalid: 'This invitation link is no longer valid: it was used, revoked or replaced by a newer link, or it expired. Ask for a new invitation.',
  wrongAccount: (email: string) =>
    `This invitation is for another email address than ${email}. Sign out, then sign in or create an account with the address the invitation was sent to.`,
  youAreMember: 'You are already a member of this organization.',
} as const;
