import 'server-only';
import type { AuditDetails } from '../audit';
import type { OrgAccess } from '../auth/access';
import { db } from '../db';
import type { Prisma } from '../generated/prisma/client';

export const ACTIVITY_PAGE_SIZE = 25;

export type ActivityEntry = {
  id: string;
  action: string;
  createdAt: Date;
  actor: string | null;
  viaToken: string | null;
  app: string | null;
  slot: number | null;
  subject: string | null;
  /** The actor is the member the event is about: one who joined by accepting an invitation. */
  bySubject: boolean;
  token: string | null;
  /** The OAuth client a change came through (then there is no actor). */
  viaOAuthClient: string | null;
  /** The OAuth client an oauth_client event is about (deleted clients keep their name). */
  oauthClient: string | null;
  details: AuditDetails;
  ip: string | null;
};

const entrySelect = {
  id: true,
  action: true,
  createdAt: true,
  slot: true,
  ip: true,
  details: true,
  actorId: true,
  subjectUserId: true,
  actor: { select: { name: true } },
  subject: { select: { name: true, email: true } },
  app: { select: { name: true } },
  token: { select: { name: true } },
  oauthClient: { select: { name: true } },
} as const;

function toEntry(row: Prisma.AuditEventGetPayload<{ select: typeof entrySelect }>): ActivityEntry {
  const isTokenEvent = row.action.startsWith('token.');
  const isClientEvent = row.action.startsWith('oauth_client.');
  let details: ActivityEntry['details'] = {};
  try {
    details = row.details ? (JSON.parse(row.details) as ActivityEntry['details']) : {};
  } catch {
    details = {};
  }
  return {
    id: row.id,
    action: row.action,
    createdAt: row.createdAt,
    actor: row.actor?.name ?? null,
    viaToken: isTokenEvent ? null : (row.token?.name ?? null),
    app: row.app?.name ?? null,
    slot: row.slot,
    subject: row.subject ? `${row.subject.name} (${row.subject.email})` : null,
    bySubject: row.actorId !== null && row.actorId === row.subjectUserId,
    token: isTokenEvent ? (row.token?.name ?? null) : null,
    viaOAuthClient: isClientEvent ? null : (row.oauthClient?.name ?? null),
    oauthClient: isClientEvent ? (row.oauthClient?.name ?? null) : null,
    details,
    ip: row.ip,
  };
}

/** The organization's audit events, newest first, a page at a time; optionally one app's. */
export async function listActivity(access: OrgAccess, options: { appId?: number; page: number }) {
  const where = { orgId: access.org.id, ...(options.appId ? { appId: options.appId } : {}) };
  const rows = await db.auditEvent.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    skip: (options.page - 1) * ACTIVITY_PAGE_SIZE,
    // One more than a page tells whether there is an older page.
    take: ACTIVITY_PAGE_SIZE + 1,
    select: entrySelect,
  });
  const entries = rows.slice(0, ACTIVITY_PAGE_SIZE).map(toEntry);
  return { entries, hasOlder: rows.length > ACTIVITY_PAGE_SIZE };
}

/**
 * The user's own account events, which belong to no organization (sessions signed out, password
 * changes, tokens for all of their organizations), newest first: the ones they made and the ones
 * made to their account (tokens revoked by `npm run rotate-secrets`).
 */
export async function listAccountActivity(user: { id: string }, take = ACTIVITY_PAGE_SIZE): Promise<ActivityEntry[]> {
  const rows = await db.auditEvent.findMany({
    where: { orgId: null, OR: [{ actorId: user.id }, { subjectUserId: user.id }] },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take,
    select: entrySelect,
  });
  return rows.map(toEntry);
}
