'use client';

import { useState, useTransition, type FormEvent } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { FormError } from '@/components/ui/form-error';
import { updateNotificationPreferences } from '@/lib/actions/update-notification-preferences';
import type { NotificationKind } from '@/lib/notifications/kinds';

type Row = { kind: NotificationKind; label: string; audience: string; inbox: boolean; email: boolean; alwaysOn: boolean };
const CHANNELS = [
  { key: 'inbox', name: 'in the portal' },
  { key: 'email', name: 'by email' },
] as const;

/** One row per kind, a checkbox per channel; kinds that are always on say so instead. */
export function PreferencesForm({ rows }: { rows: Row[] }) {
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const choices = Object.fromEntries(
      rows.filter((row) => !row.alwaysOn).map((row) => [row.kind, { inbox: form.has(`${row.kind}:inbox`), email: form.has(`${row.kind}:email`) }]),
    );
    startTransition(async () => {
      const result = await updateNotificationPreferences({ choices }).catch(() => ({ ok: false as const, error: 'Could not reach the server. Try again.' }));
      setError(result.ok ? null : result.error);
      if (result.ok) toast.success('Notification preferences saved');
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4">
      <DataTable label="Notification preferences" headings={['Notification', 'Who gets it', 'In the portal', 'By email']}>
        {rows.map((row) => (
          <tr key={row.kind} className="border-t border-slate-200">
            <th scope="row" className="px-3 py-2 font-medium">
              {row.label}
            </th>
            <td className="px-3 py-2 text-slate-700">{row.audience}</td>
            {CHANNELS.map((channel) => (
              <td key={channel.key} className="px-3 py-2">
                {row.alwaysOn ? (
                  'Always on'
                ) : (
                  <input
                    type="checkbox"
                    name={`${row.kind}:${channel.key}`}
                    defaultChecked={row[channel.key]}
                    aria-label={`${row.label}, ${channel.name}`}
                    className="size-4 accent-indigo-700"
                  />
                )}
              </td>
            ))}
          </tr>
        ))}
      </DataTable>
      <FormError message={error} />
      <Button type="submit" disabled={pending} aria-busy={pending}>
        {pending ? 'Saving…' : 'Save preferences'}
      </Button>
    </form>
  );
}
