'use server';

import { revalidatePath } from 'next/cache';
import { cookies } from 'next/headers';
import { z } from 'zod';
import { db } from '../db';
import { recordAudit } from '../audit';
import { notify } from '../notifications/notify';
import { parseRole } from '../auth/permissions';
import type { CurrentUser } from '../auth/session';
import { findInvitationByToken, findOwnInvitation, isInvitationFor, newInvitationLink, notifyInvitation } from '../data/invitations';
import { withOrgLock, withOrgRowLock } from '../data/locks';
import { addMembership } from '../data/orgs';
import { inviteMemberTo } from '../data/member-changes';
import { INVITATION_COOKIE } from '../auth/invitation-cookie';
import { AppError } from '../shared/errors';
import { isUniqueViolation } from '../prisma';
import { assertMayTouchOwners, emailSchema, INVITATION_MESSAGES, manageMembers, mayGrant, orgSchema, roleSchema } from './member-rules';
import { authedAction, requestOrigin } from './safe-action';

const invitationIdSchema = z.string().min(1).max(64);

/** Once the link's invitation is answered, the invitation page stops showing it. */
async function forgetLink(answer: Answer): Promise<void> {
  if ('token' in answer) (await cookies()).set(INVITATION_COOKIE, '', { path: '/invite', maxAge: 0 });
}

/**
 * Invites an address to the organization with a role (lib/data/member-changes.ts inviteMemberTo,
 * as POST /v1/members does). The answer is the same whether an account has the address or not:
 * the link to copy, shown once (only its digest is stored).
 */
export const inviteMember = authedAction(
  { name: 'invite-member', schema: z.object({ org: orgSchema, email: emailSchema, role: roleSchema }), ...manageMembers, stepUp: true },
  async (input, { user, access }) => {
    const invitation = await inviteMemberTo(access, input, await requestOrigin(user));
    revalidatePath(`/${access.org.name}/members`);
    return { path: invitation.path, email: invitation.email };
  },
);

/** A new link for an invitation, with a new expiry: the old link stops working. The resender becomes its inviter. */
export const resendInvitation = authedAction(
  { name: 'resend-invitation', schema: z.object({ org: orgSchema, invitationId: invitationIdSchema }), ...manageMembers, stepUp: true },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    const link = newInvitationLink();
    const email = await withOrgLock(access, 'member:manage', async (tx, callerRole) => {
      const invitation = await tx.invitation.findFirst({
        where: { id: input.invitationId, orgId: access.org.id },
        select: { id: true, email: true, role: true, inviteeId: true },
      });
      if (!invitation) throw new AppError('not_found');
      const role = parseRole(invitation.role);
      assertMayTouchOwners(callerRole, role);
      await tx.invitation.update({
        where: { id: invitation.id },
        data: { digest: link.digest, sentAt: link.sentAt, expiresAt: link.expiresAt, invitedById: user.id },
        select: { id: true },
      });
      await recordAudit(tx, { action: 'invitation.resent', orgId: access.org.id, details: { email: invitation.email, role }, origin });
      await notifyInvitation(tx, {
        org: access.org,
        role,
        invitedBy: { id: user.id, name: user.name },
        inviteeId: invitation.inviteeId,
      });
      return invitation.email;
    });
    revalidatePath(`/${access.org.name}/members`);
    return { path: link.path, email };
  },
);

/** Revokes an invitation: its link stops working at once. */
export const revokeInvitation = authedAction(
  { name: 'revoke-invitation', schema: z.object({ org: orgSchema, invitationId: invitationIdSchema }), ...manageMembers },
  async (input, { user, access }) => {
    const origin = await requestOrigin(user);
    await withOrgLock(access, 'member:manage', async (tx, callerRole) => {
      const invitation = await tx.invitation.findFirst({
        where: { id: input.invitationId, orgId: access.org.id },
        select: { id: true, email: true, role: true },
      });
      if (!invitation) throw new AppError('not_found');
      assertMayTouchOwners(callerRole, parseRole(invitation.role));
      await tx.invitation.delete({ where: { id: invitation.id }, select: { id: true } });
      await recordAudit(tx, { action: 'invitation.revoked', orgId: access.org.id, details: { email: invitation.email, role: invitation.role }, origin });
    });
    revalidatePath(`/${access.org.name}/members`);
    return null;
  },
);

/** Which invitation the invitee answers: the link's token, or one from their own list on /invite. */
const answerSchema = z.union([z.object({ token: z.string().min(1).max(100) }), z.object({ invitationId: invitationIdSchema })]);
type Answer = z.output<typeof answerSchema>;

/**
 * The invitation the signed-in user answers, when it is current and for their address. A link
 * opened by another account is refused (and left as it is) with a message saying so.
 */
async function invitationToAnswer(user: CurrentUser, answer: Answer) {
  const invitation = 'token' in answer ? await findInvitationByToken(answer.token) : await findOwnInvitation(user, answer.invitationId);
  if (!invitation) throw new AppError('not_found', INVITATION_MESSAGES.invalid);
  if (!isInvitationFor(invitation, user)) throw new AppError('forbidden', INVITATION_MESSAGES.wrongAccount(user.email));
  return { ...invitation, role: parseRole(invitation.role) };
}

/**
 * Accepts an invitation: the user becomes a member with its role, the invitation is used up,
 * and the audit trail records `member.added` by the invitee, all in one transaction holding the
 * organization's row. The inviter must still be allowed to grant the role (an admin removed
 * since, or an owner made admin for an owner's invitation, leaves the invitation unusable).
 */
export const acceptInvitation = authedAction({ name: 'accept-invitation', schema: answerSchema }, async (input, { user }) => {
  const invitation = await invitationToAnswer(user, input);
  const origin = await requestOrigin(user);
  try {
    await withOrgRowLock(invitation.orgId, async (tx) => {
      // Writes first: the invitation is used once, also when accepted twice at the same moment.
      const used = await tx.invitation.deleteMany({ where: { id: invitation.id, digest: invitation.digest, expiresAt: { gt: new Date() } } });
      if (used.count === 0) throw new AppError('not_found', INVITATION_MESSAGES.invalid);
      const inviter = invitation.invitedById
        ? await tx.membership.findUnique({ where: { orgId_userId: { orgId: invitation.orgId, userId: invitation.invitedById } }, select: { role: true } })
        : null;
      if (!inviter || !mayGrant(parseRole(inviter.role), invitation.role)) throw new AppError('not_found', INVITATION_MESSAGES.invalid);
      const member = await tx.membership.findUnique({ where: { orgId_userId: { orgId: invitation.orgId, userId: user.id } }, select: { id: true } });
      if (member) throw new AppError('conflict', INVITATION_MESSAGES.youAreMember);
      await addMembership(tx, { orgId: invitation.orgId, userId: user.id, role: invitation.role });
      await recordAudit(tx, { action: 'member.added', orgId: invitation.orgId, subjectUserId: user.id, details: { role: invitation.role }, origin });
      await notify(tx, { kind: 'member.added', orgId: invitation.orgId, subjectUserId: user.id, origin, facts: { role: invitation.role } });
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', INVITATION_MESSAGES.youAreMember);
    throw error;
  }
  await forgetLink(input);
  revalidatePath(`/${invitation.org.name}/members`);
  return { org: invitation.org.name, role: invitation.role };
});

/** Declines an invitation: it is used up, and the audit trail records it. */
export const declineInvitation = authedAction({ name: 'decline-invitation', schema: answerSchema }, async (input, { user }) => {
  const invitation = await invitationToAnswer(user, input);
  const origin = await requestOrigin(user);
  await db.$transaction(async (tx) => {
    const used = await tx.invitation.deleteMany({ where: { id: invitation.id, digest: invitation.digest } });
    if (used.count === 0) throw new AppError('not_found', INVITATION_MESSAGES.invalid);
    await recordAudit(tx, {
      action: 'invitation.declined',
      orgId: invitation.orgId,
      subjectUserId: user.id,
      details: { email: invitation.email, role: invitation.role },
      origin,
    });
  });
  await forgetLink(input);
  revalidatePath(`/${invitation.org.name}/members`);
  return { org: invitation.org.name };
});
