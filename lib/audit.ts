import type { Db, DbTx } from './prisma';
import { emitWebhookEvent } from './webhooks/emit';

/** Every security-relevant change, by the action recorded for it. */
export const AUDIT_ACTIONS = [
  'app.created',
  'app.renamed',
  'app.updated',
  'app.deleted',
  'org.created',
  'api_key.regenerated',
  'member.added',
  'member.role_changed',
  'member.removed',
  'member.left',
  'invitation.created',
  'invitation.resent',
  'invitation.revoked',
  'invitation.declined',
  'token.created',
  'token.revoked',
  'two_factor.enabled',
  'two_factor.disabled',
  'two_factor.recovery_codes_regenerated',
  'two_factor.recovery_code_used',
  'org.two_factor_policy_changed',
  'passkey.added',
  'passkey.removed',
  'session.reauthenticated',
  'session.signed_out',
  'session.signed_out_others',
  'session.signed_out_everywhere',
  'password.changed',
  'oauth_client.created',
  'oauth_client.secret_regenerated',
  'oauth_client.deleted',
  'webhook.created',
  'webhook.updated',
  'webhook.deleted',
  'webhook.secret_rotated',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/**
 * Small facts an event needs to read well later: a role before and after; the address and role
 * of an invitation (an accepted one is the `member.added` event, by the invitee); an app's name before
 * and after a rename, or its name and id once it is deleted (the row is gone, and the event's
 * appId with it: the id names the app's runtime data files); `reason` for changes the portal made
 * itself (`name-rules`: a migration renamed an app to meet the name rules; `rotate-secrets`: the
 * command revoked the tokens); `personal` for the organization made at sign-up; for session
 * events, `session` (the browser, system and address of a session signed out) and `sessions`
 * (how many ended); `method` for a re-authentication; `requireTwoFactor`, a security policy after its change.
 */
export type AuditDetails = {
  role?: string;
  previousRole?: string;
  previousName?: string;
  name?: string;
  appId?: number;
  reason?: string;
  /** The policy "Require two-factor authentication", after the change. */
  requireTwoFactor?: boolean;
  /** How the user re-authenticated (session.reauthenticated): `password`, ... */
  method?: string;
  personal?: boolean;
  session?: string;
  sessions?: number;
  /** The address an invitation was sent to. */
  email?: string;
  /** A webhook endpoint's address, without its query (which may hold a receiver's token). */
  endpoint?: string;
  /** A webhook endpoint switched on or off (webhook.updated). */
  enabled?: boolean;
};

/**
 * Who made a change and from where: the user, and the token when it came through the API; or an
 * OAuth client (no user: actorId null) when it came with the client's access token.
 */
export type ChangeOrigin = { actorId: string | null; tokenId?: string | null; oauthClientId?: string | null; ip?: string | null; userAgent?: string | null };

/** A change the portal made itself (a maintenance command): no actor; its details name the reason. */
export const BY_THE_PORTAL: { actorId: null; tokenId?: never; oauthClientId?: never; ip?: never; userAgent?: never } = { actorId: null };

export type AuditEventInput = {
  action: AuditAction;
  origin: ChangeOrigin | typeof BY_THE_PORTAL;
  /** The organization the change happened in; null for a token that covers all of the user's organizations. */
  orgId: string | null;
  appId?: number | null;
  /** The key slot, for key events. */
  slot?: number | null;
  /** The member a membership event is about. */
  subjectUserId?: string | null;
  /** The token a token event is about (for other events, origin.tokenId is the token used). */
  subjectTokenId?: string | null;
  /** The OAuth client an oauth_client event is about (for other events, origin.oauthClientId is the client acting). */
  subjectOAuthClientId?: string | null;
  /** Small facts the event needs to read well later. Never a secret. */
  details?: AuditDetails;
  at?: Date;
};

/**
 * Records one audit event and queues its webhook deliveries (lib/webhooks/emit.ts: one outbox
 * message per enabled endpoint of the organization that wants the event). Call it with the
 * interactive transaction that makes the change, so that the event and its deliveries exist if
 * and only if the change does.
 */
export async function recordAudit(tx: Db | DbTx, event: AuditEventInput): Promise<{ id: string }> {
  const row = await auditRow(tx, event);
  await emitWebhookEvent(tx, event, row.id);
  return row;
}

/**
 * The audit row alone, as one query: for a batch `$transaction([...])`, which cannot run the
 * webhook lookups (maintenance commands, whose events are no webhook events).
 */
export function auditRow(tx: Db | DbTx, event: AuditEventInput) {
  return tx.auditEvent.create({
    data: {
      action: event.action,
      orgId: event.orgId,
      appId: event.appId ?? null,
      slot: event.slot ?? null,
      actorId: event.origin.actorId,
      tokenId: event.subjectTokenId ?? event.origin.tokenId ?? null,
      oauthClientId: event.subjectOAuthClientId ?? event.origin.oauthClientId ?? null,
      subjectUserId: event.subjectUserId ?? null,
      details: event.details ? JSON.stringify(event.details) : null,
      ip: event.origin.ip ?? null,
      userAgent: event.origin.userAgent?.slice(0, 300) ?? null,
      ...(event.at ? { createdAt: event.at } : {}),
    },
    select: { id: true },
  });
}
