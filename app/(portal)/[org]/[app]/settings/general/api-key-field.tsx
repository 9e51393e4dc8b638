'use client';

import { useRef, useState, type KeyboardEvent } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { copyText } from '@/lib/clipboard';
import { maskApiKey } from '@/lib/keys/display';
import { RegenerateKeyDialog } from './regenerate-key-dialog';

type Props = {
  appId: number;
  slot: 1 | 2;
  apiKey: string;
  /** "Regenerated 3 minutes ago by Alice" */
  history: string;
  /** "Last used 2 minutes ago" or "Never used" */
  usage: string;
  /** Why this user cannot regenerate, or null when they can. */
  disabledReason: string | null;
};

export function ApiKeyField({ appId, slot, apiKey, history, usage, disabledReason }: Props) {
  const label = `API Key ${slot}`;
  const inputId = `api-key-${slot}`;
  const [shown, setShown] = useState(false);
  const [dialogOpen, setDialogOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const regenerateRef = useRef<HTMLButtonElement>(null);

  async function copy() {
    if (await copyText(apiKey)) {
      toast.success(`${label} copied`);
      return;
    }
    // Both ways failed: show the key selected so it can be copied by hand.
    setShown(true);
    requestAnimationFrame(() => inputRef.current?.select());
    toast.error(`Could not copy ${label}. It is selected: press Ctrl+C (⌘C on a Mac) to copy it.`);
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void copy();
    }
  }

  return (
    <div className="space-y-1">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="flex flex-wrap items-center gap-2">
        <input
          ref={inputRef}
          id={inputId}
          readOnly
          value={shown ? apiKey : maskApiKey(apiKey)}
          onClick={() => void copy()}
          onKeyDown={onKeyDown}
          aria-describedby={`${inputId}-help ${inputId}-history`}
          spellCheck={false}
          className="min-w-0 flex-1 cursor-copy rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm focus:outline-2 focus:outline-indigo-600"
        />
        <Button variant="secondary" className="w-16" onClick={() => setShown((value) => !value)} aria-label={`${shown ? 'Hide' : 'Show'} ${label}`}>
          {shown ? 'Hide' : 'Show'}
        </Button>
        <Button
          ref={regenerateRef}
          variant="secondary"
          onClick={() => setDialogOpen(true)}
          disabled={disabledReason !== null}
          aria-label={`Regenerate ${label}`}
          aria-describedby={disabledReason ? `${inputId}-reason` : undefined}
        >
          Regenerate
        </Button>
      </div>
      <p id={`${inputId}-help`} className="sr-only">
        Press Enter to copy the key.
      </p>
      <p id={`${inputId}-history`} className="text-xs text-slate-600">
        {history} · {usage}
      </p>
      {disabledReason ? (
        <p id={`${inputId}-reason`} className="text-xs text-slate-600">
          {disabledReason}
        </p>
      ) : null}
      {dialogOpen ? (
        <RegenerateKeyDialog
          appId={appId}
          slot={slot}
          onClose={() => {
            setDialogOpen(false);
            regenerateRef.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}
