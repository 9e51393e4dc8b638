import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/guards';
import { serverEnv } from '@/lib/env';
import { notificationPreferences } from '@/lib/data/notifications';
import { NOTIFICATION_KINDS } from '@/lib/notifications/kinds';
import { PreferencesForm } from './preferences-form';

export const metadata: Metadata = { title: 'Notification preferences' };

export default async function NotificationSettingsPage() {
  const user = await requireUser();
  const choices = await notificationPreferences(user);
  const emailOn = serverEnv().mail !== null;
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-4 py-6 sm:px-6">
      <div>
        <h1 className="text-2xl font-semibold">Notification preferences</h1>
        <p className="mt-1 text-sm text-slate-700">
          Which security notifications you get, in the portal’s inbox (the bell) and by email to {user.email}. No notification ever contains a key, a token or a
          code.
        </p>
        {emailOn ? null : (
          <p className="mt-2 text-sm text-slate-700">
            This portal sends no email (its administrator has not set SMTP_URL): notifications reach the inbox only.
          </p>
        )}
      </div>
      <PreferencesForm
        rows={choices.map((choice) => ({ ...choice, label: NOTIFICATION_KINDS[choice.kind].label, audience: NOTIFICATION_KINDS[choice.kind].audience }))}
      />
    </main>
  );
}
