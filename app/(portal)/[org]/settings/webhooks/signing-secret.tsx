'use client';

import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { copyText } from '@/lib/clipboard';

/** A signing secret shown once, with Copy and Done. */
export function SigningSecret({ secret, onDone }: { secret: string; onDone: () => void }) {
  async function copy() {
    if (await copyText(secret)) toast.success('Signing secret copied');
    else toast.error('Could not copy the secret. Select it and copy it by hand.');
  }
  return (
    <div role="region" aria-label="New signing secret" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4">
      <p className="text-sm font-medium text-amber-900">Copy the signing secret now. It cannot be shown again.</p>
      <div className="flex flex-wrap gap-2">
        <label htmlFor="signing-secret" className="sr-only">
          New signing secret
        </label>
        <input id="signing-secret" readOnly value={secret} className="min-w-0 flex-1 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm" />
        <Button variant="secondary" onClick={() => void copy()}>
          Copy secret
        </Button>
        <Button variant="secondary" onClick={onDone}>
          Done
        </Button>
      </div>
    </div>
  );
}
