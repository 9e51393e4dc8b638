import type { ChangeOrigin } from '../audit';
import { serverEnv } from '../env';
import type { Db, DbTx } from '../prisma';
import { portalPublicUrl } from '../shared/http/portal-front';
import { enqueue, type EmailPayload } from '../outbox/outbox';
import { isAlwaysOn, notificationText, type NotificationFacts, type NotificationKind } from './kinds';

/** The roles that hear about an organization's apps and members. */
export const ORG_NOTIFIED_ROLES = ['owner', 'admin'] as const;

export type NotifyInput = {
  kind: NotificationKind;
  /** The organization it concerns: its owners and admins are told (and its name goes into the text). */
  orgId?: string | null;
  /** Users it concerns besides: the account's owner. */
  userIds?: string[];
  /** The member a change is about: told too, and named in the text. */
  subjectUserId?: string;
  /** Who made the change and how: their name, and the token's name when it came through one (or the OAuth client's, the actor then), are looked up. */
  origin?: ChangeOrigin;
  /** What else the text needs (an app's name, slots, roles, a token's name). Never a secret. */
  facts?: NotificationFacts;
};

/**
 * Tells the people a change concerns. Call it with the transaction that makes the change (next
 * to recordAudit), so the notification exists if and only if the change does. Each recipient
 * gets an inbox row and, when SMTP_URL is set, an email queued in the outbox (sent later by the
 * outbox worker, never on the request path), unless they turned the kind off on Account →
 * Notifications (kinds that are always on ignore that).
 *
 * Recipients: `userIds` and `subjectUserId`, plus the owners and admins of `orgId`. The actor
 * is one of them when they belong there: a change made with a stolen session or token is made
 * "as you", and your own copy ("You regenerated … with the personal access token ci-rotate") is
 * how you learn of it.
 */
export async function notify(tx: Db | DbTx, input: NotifyInput): Promise<{ userIds: string[] }> {
  // One query at a time: they run in the caller's transaction.
  const org = input.orgId ? await tx.organization.findUnique({ where: { id: input.orgId }, select: { name: true } }) : null;
  const actor = input.origin?.actorId ? await tx.user.findUnique({ where: { id: input.origin.actorId }, select: { id: true, name: true } }) : null;
  const token = input.origin?.tokenId ? await tx.personalAccessToken.findUnique({ where: { id: input.origin.tokenId }, select: { name: true } }) : null;
  // An OAuth client has no user: the client is the actor.
  const client = input.origin?.oauthClientId ? await tx.oAuthClient.findUnique({ where: { id: input.origin.oauthClientId }, select: { name: true } }) : null;
  const subject = input.subjectUserId ? await tx.user.findUnique({ where: { id: input.subjectUserId }, select: { id: true, name: true } }) : null;
  const admins = input.orgId
    ? await tx.membership.findMany({ where: { orgId: input.orgId, role: { in: [...ORG_NOTIFIED_ROLES] } }, select: { userId: true } })
    : [];
  const facts: NotificationFacts = {
    ...(org ? { org: org.name } : {}),
    ...(actor ? { actor: actor.name, actorId: actor.id } : {}),
    ...(client ? { actor: `The OAuth client ${client.name}` } : {}),
    ...(input.origin ? { via: input.origin.oauthClientId ? 'oauth_client' : input.origin.tokenId ? 'token' : 'portal' } : {}),
    ...(token ? { viaToken: token.name } : {}),
    ...(input.origin?.ip ? { ip: input.origin.ip } : {}),
    ...(subject ? { subject: subject.name, subjectId: subject.id } : {}),
    ...input.facts,
  };
  const ids = [...new Set([...(input.userIds ?? []), ...(subject ? [subject.id] : []), ...admins.map((m) => m.userId)])];
  if (ids.length === 0) return { userIds: [] };

  const mail = serverEnv().mail;
  const recipients = await tx.user.findMany({
    where: { id: { in: ids } },
    select: { id: true, email: true, notificationPreferences: { where: { kind: input.kind }, select: { inbox: true, email: true } } },
  });
  const alwaysOn = isAlwaysOn(input.kind);
  const inbox: { userId: string; kind: string; orgId: string | null; facts: string }[] = [];
  const emails: EmailPayload[] = [];
  for (const user of recipients) {
    const choice = alwaysOn ? undefined : user.notificationPreferences[0];
    if (choice?.inbox !== false) inbox.push({ userId: user.id, kind: input.kind, orgId: input.orgId ?? null, facts: JSON.stringify(facts) });
    if (mail && choice?.email !== false) emails.push(notificationEmail(input.kind, facts, user));
  }
  if (inbox.length) await tx.notification.createMany({ data: inbox });
  await enqueue(
    tx,
    emails.map((payload) => ({ channel: 'email', kind: input.kind, payload })),
  );
  return { userIds: recipients.map((user) => user.id) };
}

/** A notification's email: its title as the subject, its text, and where to see it or turn it off. No key, token or code is ever in the facts. */
export function notificationEmail(kind: NotificationKind, facts: NotificationFacts, to: { id: string; email: string }): EmailPayload {
  const { title, body } = notificationText(kind, facts, to.id);
  const portal = portalPublicUrl();
  const footer = isAlwaysOn(kind)
    ? 'This security notification cannot be turned off.'
    : `To stop these emails, turn this kind off on ${portal}/settings/notifications.`;
  return { to: to.email, subject: title, text: `${body}\n\nSee your notifications: ${portal}/notifications\n\n${footer}\n` };
}
