import 'server-only';
import { notify } from '../notifications/notify';
import type { OrgAccess } from '../auth/access';
import type { Role } from '../auth/permissions';
import type { CurrentUser } from '../auth/session';
import { db } from '../db';
import { serverEnv } from '../env';
import type { DbTx } from '../prisma';
import { digestSecret, digestsEqual, lookupDigest } from '../shared/keys/digest';
import { generateInvitationToken, isWellFormedInvitationToken } from '../shared/keys/format';
import { DAY_MS } from '../shared/time';

/** How long an invitation link works after it was made or resent. */
export const INVITATION_TTL_MS = 7 * DAY_MS;

/** The link's path: the one place an invitation token is in a URL (its page answers `Referrer-Policy: no-referrer`). */
export const invitationPath = (token: string) => `/invite/${token}`;

/**
 * A new link: the token, in the answer once (for the inviter to copy), and what is stored of it,
 * its keyed digest (as for personal access tokens), with its new expiry.
 */
export function newInvitationLink(now = new Date()) {
  const token = generateInvitationToken();
  return {
    token,
    path: invitationPath(token),
    digest: digestSecret(token, serverEnv().keySecrets.digestSecret),
    sentAt: now,
    expiresAt: new Date(now.getTime() + INVITATION_TTL_MS),
  };
}

const invitationSelect = {
  id: true,
  orgId: true,
  email: true,
  role: true,
  digest: true,
  inviteeId: true,
  invitedById: true,
  expiresAt: true,
  org: { select: { name: true } },
  invitedBy: { select: { name: true } },
} as const;

/**
 * The current invitation a link's token opens, or null: well-formed (a made-up token never
 * reaches the database), known (the digests compared in constant time) and not expired.
 */
export async function findInvitationByToken(token: unknown, now = new Date()) {
  const digest = lookupDigest(token, serverEnv().keySecrets.digestSecret, isWellFormedInvitationToken);
  if (!digest) return null;
  const row = await db.invitation.findUnique({ where: { digest }, select: invitationSelect });
  if (!row || !digestsEqual(row.digest, digest) || row.expiresAt <= now) return null;
  return row;
}

/**
 * Whether the signed-in user may answer the invitation: it was sent to their address, and, when
 * an account had the address then, they are that account.
 */
export function isInvitationFor(invitation: { email: string; inviteeId: string | null }, user: CurrentUser): boolean {
  return invitation.email === user.email.toLowerCase() && (invitation.inviteeId === null || invitation.inviteeId === user.id);
}

/** One of the user's own current invitations (see listInvitationsFor), by id, or null. */
export async function findOwnInvitation(user: CurrentUser, id: string, now = new Date()) {
  return db.invitation.findFirst({ where: { id, ...ownInvitations(user, now) }, select: invitationSelect });
}

/**
 * An account sees, without the link, the invitations made for it: those sent to its address while
 * it had an account. An account signed up with the address afterwards needs the link (nothing
 * checks that an address belongs to whoever signs up with it; the link reached the address).
 */
function ownInvitations(user: CurrentUser, now: Date) {
  return { inviteeId: user.id, email: user.email.toLowerCase(), expiresAt: { gt: now } };
}

/** The user's own current invitations, newest first. */
export async function listInvitationsFor(user: CurrentUser, now = new Date()) {
  return db.invitation.findMany({
    where: ownInvitations(user, now),
    orderBy: { sentAt: 'desc' },
    select: { id: true, role: true, expiresAt: true, org: { select: { name: true } }, invitedBy: { select: { name: true } } },
  });
}

export async function countInvitationsFor(user: CurrentUser, now = new Date()) {
  return db.invitation.count({ where: ownInvitations(user, now) });
}

/** The organization's invitations not yet answered, expired ones included (they can be resent), newest first. */
export async function listOrgInvitations(access: OrgAccess) {
  return db.invitation.findMany({
    where: { orgId: access.org.id },
    orderBy: { sentAt: 'desc' },
    select: { id: true, email: true, role: true, sentAt: true, expiresAt: true, invitedBy: { select: { name: true } } },
  });
}

/** What the notification of an invitation needs (never its link: the token stays with the inviter). */
export type InvitationNotice = {
  org: { id: string; name: string };
  role: Role;
  invitedBy: { id: string; name: string };
  /** The account that had the address when the invitation was made, for its inbox; null: none. */
  inviteeId: string | null;
};

/**
 * The one place an invitation's notification is sent from, in the transaction that creates or
 * resends it. It goes to the account the address belonged to when it was invited (its inbox,
 * and its email when SMTP_URL is set) and points to /invite, where that account accepts without
 * the link. It never carries the link: its token works like a password, and would then sit in
 * the inbox rows, the outbox and a mailbox. An address with no account gets the link from the
 * inviter (Members shows it once), which is also why the inviter's answer is the same either way.
 */
export async function notifyInvitation(tx: DbTx, notice: InvitationNotice): Promise<void> {
  if (!notice.inviteeId) return;
  await notify(tx, {
    kind: 'invitation.received',
    userIds: [notice.inviteeId],
    facts: { org: notice.org.name, role: notice.role, actor: notice.invitedBy.name, actorId: notice.invitedBy.id },
  });
}
