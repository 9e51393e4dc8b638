'use client';

import { useId } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { copyText } from '@/lib/clipboard';

export type ShownSecret = { name: string; clientId: string; clientSecret: string };

/** A client's id and its secret, shown once after Create client or Regenerate secret, each with a copy button. */
export function ClientSecretPanel({ shown, onDone }: { shown: ShownSecret; onDone: () => void }) {
  // Ids of their own: the panel of Create client and the one of Regenerate secret can be on the page at once.
  const base = useId();
  async function copy(value: string, what: string) {
    if (await copyText(value)) toast.success(`${what} copied`);
    else toast.error(`Could not copy the ${what.toLowerCase()}. Select it and copy it by hand.`);
  }
  return (
    <div role="region" aria-label="New client secret" className="space-y-3 rounded-md border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-medium text-amber-900">Copy the secret of {shown.name} now. It cannot be shown again.</p>
      {(
        [
          [`${base}-client-id`, 'Client id', shown.clientId],
          [`${base}-client-secret`, 'Client secret', shown.clientSecret],
        ] as const
      ).map(([id, label, value]) => (
        <div key={id} className="space-y-1">
          <label htmlFor={id} className="block text-sm font-medium text-slate-800">
            {label}
          </label>
          <div className="flex flex-wrap gap-2">
            <input id={id} readOnly value={value} className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm" />
            <Button variant="secondary" onClick={() => void copy(value, label)}>
              Copy {label.toLowerCase()}
            </Button>
          </div>
        </div>
      ))}
      <Button variant="secondary" onClick={onDone}>
        Done
      </Button>
    </div>
  );
}
