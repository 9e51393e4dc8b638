import type { Metadata } from 'next';
import Link from 'next/link';
import { requireUser } from '@/lib/auth/guards';
import { INBOX_LIMIT, listNotifications } from '@/lib/data/notifications';
import { RelativeTime } from '@/components/ui/relative-time';
import { MarkAllReadButton, MarkReadButton } from './mark-read-buttons';

export const metadata: Metadata = { title: 'Notifications' };

export default async function NotificationsPage() {
  const user = await requireUser();
  const notifications = await listNotifications(user);
  const unread = notifications.filter((n) => !n.read).length;
  const now = new Date();
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-6 sm:px-6">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">Notifications</h1>
          <p className="mt-1 text-sm text-slate-700">
            Changes to your account, and to the keys and members of organizations you own or administer. The newest {INBOX_LIMIT} are kept here.{' '}
            <Link href="/settings/notifications" className="text-indigo-700 underline">
              Choose which you get
            </Link>
            .
          </p>
        </div>
        {unread > 0 ? <MarkAllReadButton /> : null}
      </div>
      {notifications.length === 0 ? (
        <p className="text-sm text-slate-700">No notifications yet.</p>
      ) : (
        <ul aria-label="Notifications" className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white shadow-sm">
          {notifications.map((notification) => (
            <li key={notification.id} className={`flex flex-wrap items-start gap-3 p-4 ${notification.read ? '' : 'bg-indigo-50'}`}>
              <div className="min-w-0 flex-1 space-y-1">
                <h2 className="text-sm font-semibold">
                  {notification.read ? null : (
                    <span className="mr-2 rounded bg-indigo-700 px-1.5 py-0.5 text-xs font-semibold text-white">
                      Unread<span className="sr-only">:</span>
                    </span>
                  )}
                  {notification.title}
                </h2>
                <p className="text-sm text-slate-700">{notification.body}</p>
                <p className="text-xs text-slate-600">
                  <RelativeTime date={notification.createdAt} now={now} />
                </p>
              </div>
              {notification.read ? null : <MarkReadButton id={notification.id} title={notification.title} />}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
