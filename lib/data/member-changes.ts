import 'server-only';
import type { OrgAccess } from '../auth/access';
import { OWNER_RULES, parseRole, type Granted, type Role } from '../auth/permissions';
import { recordAudit, type ChangeOrigin } from '../audit';
import { assertMayTouchOwners, INVITATION_MESSAGES } from '../actions/member-rules';
import { notify } from '../notifications/notify';
import { isUniqueViolation, type DbTx } from '../prisma';
import { AppError } from '../shared/errors';
import { newInvitationLink, notifyInvitation } from './invitations';
import { withOrgLock } from './locks';

// The changes to an organization's members, one function each, called by the portal's actions
// (lib/actions/members.ts, invitations.ts) and the management API's routes (app/v1/members) alike:
// the owner rules, the audit rows and the notifications, in the change's own transaction.
// Nothing here reads who the caller is but `access` (its role, re-checked under the lock) and
// `origin` (for the record): a caller with no user (an OAuth client) changes what its role allows.

/** Which member a change is about: the portal names the membership row, the API the user. */
export type MemberRef = { membershipId: string } | { userId: string };

/** A member as both doors answer it. */
export type MemberRecord = { id: string; role: Role; createdAt: Date; user: { id: string; name: string; email: string } };
const memberSelect = { id: true, role: true, createdAt: true, user: { select: { id: true, name: true, email: true } } } as const;

function conflictOn(field: string, message: string): AppError {
  return new AppError('conflict', message, { fieldErrors: { [field]: [message] } });
}

/**
 * A change to one member, made under the organization's lock so that it keeps an owner
 * (lib/data/locks.ts): the caller's role is checked again there, and the target is read as it is.
 */
async function changeMembership<T>(
  access: Granted<OrgAccess, 'member:manage'>,
  ref: MemberRef,
  change: (tx: DbTx, target: MemberRecord, callerRole: Role) => Promise<T>,
): Promise<T> {
  return withOrgLock(
    access,
    'member:manage',
    async (tx, callerRole) => {
      const target = await tx.membership.findFirst({
        where: { orgId: access.org.id, ...('membershipId' in ref ? { id: ref.membershipId } : { userId: ref.userId }) },
        select: memberSelect,
      });
      if (!target) throw new AppError('not_found');
      return change(tx, { ...target, role: parseRole(target.role) }, callerRole);
    },
    { keepAnOwner: OWNER_RULES.lastOwner },
  );
}

/**
 * Gives a member another role: only owners grant, change or remove the owner role, and the
 * organization keeps an owner. Records `member.role_changed` and notifies; the same role again
 * changes nothing. Answers the member as the change left them.
 */
export async function changeMemberRoleIn(
  access: Granted<OrgAccess, 'member:manage'>,
  ref: MemberRef,
  role: Role,
  origin: ChangeOrigin,
): Promise<MemberRecord> {
  return changeMembership(access, ref, async (tx, target, callerRole) => {
    assertMayTouchOwners(callerRole, role, target.role);
    if (target.role === role) return target;
    await tx.membership.update({ where: { id: target.id }, data: { role }, select: { id: true } });
    const facts = { role, previousRole: target.role };
    await recordAudit(tx, { action: 'member.role_changed', orgId: access.org.id, subjectUserId: target.user.id, details: facts, origin });
    await notify(tx, { kind: 'member.role_changed', orgId: access.org.id, subjectUserId: target.user.id, origin, facts });
    return { ...target, role };
  });
}

/** Removes a member (only owners remove an owner; the organization keeps one), recording `member.removed`. */
export async function removeMemberFrom(access: Granted<OrgAccess, 'member:manage'>, ref: MemberRef, origin: ChangeOrigin): Promise<MemberRecord> {
  return changeMembership(access, ref, async (tx, target, callerRole) => {
    assertMayTouchOwners(callerRole, target.role);
    await tx.membership.delete({ where: { id: target.id }, select: { id: true } });
    await recordAudit(tx, { action: 'member.removed', orgId: access.org.id, subjectUserId: target.user.id, details: { previousRole: target.role }, origin });
    return target;
  });
}

/**
 * Invites an address to the organization with a role: how a member is added, by the portal and the
 * API alike (the person accepts; nothing says whether an account has the address). The owner rules
 * apply: only owners invite owners. One pending invitation per address (`conflict`), none for a
 * member (`conflict`); an expired one is replaced. An invitation is made in a person's name (its
 * acceptance checks that the inviter may still grant the role): a caller with no user is refused.
 * Answers the link, shown once, and the invitation.
 */
export async function inviteMemberTo(
  access: Granted<OrgAccess, 'member:manage'>,
  input: { email: string; role: Role },
  origin: ChangeOrigin,
): Promise<{ id: string; path: string; email: string; role: Role; expiresAt: Date }> {
  const inviterId = origin.actorId;
  if (!inviterId) throw new AppError('forbidden', 'Invitations are made in a person’s name: use a personal access token.');
  const link = newInvitationLink();
  try {
    return await withOrgLock(access, 'member:manage', async (tx, callerRole) => {
      assertMayTouchOwners(callerRole, input.role);
      const member = await tx.membership.findFirst({ where: { orgId: access.org.id, user: { email: input.email } }, select: { id: true } });
      if (member) throw conflictOn('email', INVITATION_MESSAGES.alreadyMember);
      const pending = await tx.invitation.findUnique({
        where: { orgId_email: { orgId: access.org.id, email: input.email } },
        select: { id: true, expiresAt: true },
      });
      if (pending && pending.expiresAt > link.sentAt) throw conflictOn('email', INVITATION_MESSAGES.pending);
      // An expired invitation to the address is replaced by the new one.
      if (pending) await tx.invitation.delete({ where: { id: pending.id }, select: { id: true } });
      const invitee = await tx.user.findUnique({ where: { email: input.email }, select: { id: true } });
      const inviter = await tx.user.findUniqueOrThrow({ where: { id: inviterId }, select: { id: true, name: true } });
      const invitation = await tx.invitation.create({
        data: {
          orgId: access.org.id,
          email: input.email,
          role: input.role,
          digest: link.digest,
          invitedById: inviter.id,
          inviteeId: invitee?.id ?? null,
          sentAt: link.sentAt,
          expiresAt: link.expiresAt,
        },
        select: { id: true },
      });
      await recordAudit(tx, { action: 'invitation.created', orgId: access.org.id, details: { email: input.email, role: input.role }, origin });
      await notifyInvitation(tx, { org: access.org, role: input.role, invitedBy: inviter, inviteeId: invitee?.id ?? null });
      return { id: invitation.id, path: link.path, email: input.email, role: input.role, expiresAt: link.expiresAt };
    });
  } catch (error) {
    // Two invitations of one address at once: the unique index answers the second.
    if (isUniqueViolation(error)) throw conflictOn('email', INVITATION_MESSAGES.pending);
    throw error;
  }
}
