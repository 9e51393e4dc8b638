import 'server-only';
import type { CurrentUser } from '../auth/session';
import { db } from '../db';
import { isAlwaysOn, notificationText, NOTIFICATION_KIND_NAMES, type NotificationFacts, type NotificationKind } from '../notifications/kinds';

/** Notifications the inbox lists at most (the newest). */
export const INBOX_LIMIT = 100;

/** The user's unread notifications, for the bell. */
export function unreadNotificationCount(user: CurrentUser): Promise<number> {
  return db.notification.count({ where: { userId: user.id, readAt: null } });
}

/** The user's newest notifications with their words, newest first. */
export async function listNotifications(user: CurrentUser) {
  const rows = await db.notification.findMany({
    where: { userId: user.id },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: INBOX_LIMIT,
    select: { id: true, kind: true, facts: true, readAt: true, createdAt: true },
  });
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    read: row.readAt !== null,
    createdAt: row.createdAt,
    ...notificationText(row.kind, JSON.parse(row.facts) as NotificationFacts, user.id),
  }));
}

export type NotificationChoice = { kind: NotificationKind; inbox: boolean; email: boolean; alwaysOn: boolean };

/** Every kind with the user's choice for it (on, unless they turned it off; always-on kinds always on). */
export async function notificationPreferences(user: CurrentUser): Promise<NotificationChoice[]> {
  const rows = await db.notificationPreference.findMany({ where: { userId: user.id }, select: { kind: true, inbox: true, email: true } });
  return NOTIFICATION_KIND_NAMES.map((kind) => {
    const alwaysOn = isAlwaysOn(kind);
    const row = alwaysOn ? undefined : rows.find((r) => r.kind === kind);
    return { kind, inbox: row?.inbox ?? true, email: row?.email ?? true, alwaysOn };
  });
}
