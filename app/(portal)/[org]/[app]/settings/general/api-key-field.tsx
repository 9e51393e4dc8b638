'use client';

import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { RelativeTime } from '@/components/ui/relative-time';
import { useNow } from '@/components/ui/use-now';
import { CopyButton } from '@/components/keys/copy-button';
import { useKeys } from '@/components/keys/keys-context';
import { KeyUsage, keyOrigin } from '@/components/keys/key-usage';
import { copyText, startCopy } from '@/lib/clipboard';
import { maskApiKey } from '@/lib/shared/keys/display';
import { RegenerateKeyDialog } from './regenerate-key-dialog';

type Props = {
  slot: 1 | 2;
  /** When the server rendered the page, for relative times that match on both sides. */
  now: number;
  /** Why this user cannot regenerate, or null when they can. */
  disabledReason: string | null;
};

/**
 * One key as Spice shows it: click the field to copy the whole key (also Enter, Space and
 * Ctrl+C, masked or not), Copy, Show/Hide and Regenerate beside it, and who made it and how it
 * is used below. Before a key is copied the page checks it is still current.
 */
export function ApiKeyField({ slot, now: serverNow, disabledReason }: Props) {
  const keys = useKeys();
  const now = useNow(serverNow);
  const view = keys.view(slot);
  const notice = keys.notice(slot);
  const label = `API Key ${slot}`;
  const inputId = `api-key-${slot}`;
  const [shown, setShown] = useState(false);
  const [fresh, setFresh] = useState(false);
  const [dialogOpen, setDialogOpen] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const regenerateRef = useRef<HTMLButtonElement>(null);
  const copyRef = useRef<HTMLButtonElement>(null);

  // Selecting waits for the render that shows the whole key (selecting the bullets would be useless).
  const selectWhenShown = useRef(false);
  useEffect(() => {
    if (selectWhenShown.current && (shown || fresh)) {
      selectWhenShown.current = false;
      inputRef.current?.select();
    }
  });

  function showSelected() {
    if (shown || fresh) {
      inputRef.current?.select();
      return;
    }
    selectWhenShown.current = true;
    setShown(true);
  }

  async function copyFromField() {
    const copy = startCopy();
    let current;
    try {
      current = await keys.ensureCurrent(slot);
    } catch (error) {
      toast.error(error instanceof Error ? error.message : `Could not copy ${label}.`, { id: `copied:${label}` });
      return;
    }
    // A later copy began while this one waited: it has the clipboard.
    if (!copy.isLatest()) return;
    if (await copyText(current.key)) {
      toast.success(`${label} copied`, { id: `copied:${label}` });
      return;
    }
    // Both ways failed: show the key selected so it can be copied by hand.
    showSelected();
    toast.error(`Could not copy ${label}. It is selected: press Ctrl+C (⌘C on a Mac) to copy it.`, { id: `copied:${label}` });
  }

  function onKeyDown(event: KeyboardEvent<HTMLInputElement>) {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      void copyFromField();
    }
  }

  // Ctrl+C / ⌘C in the field: the real key, never the bullets. The clipboard event cannot wait
  // for the server, so the key is checked right after: if it had changed, the page says so at once.
  function onCopy(event: ClipboardEvent<HTMLInputElement>) {
    event.preventDefault();
    startCopy();
    const copied = view.key;
    event.clipboardData.setData('text/plain', copied);
    toast.success(`${label} copied`, { id: `copied:${label}` });
    keys.ensureCurrent(slot).then(
      (current) => {
        if (current.key !== copied) {
          toast.error(`${label} was regenerated: the key you copied no longer works. Copy the new one.`, { id: `copied:${label}` });
        }
      },
      (error: unknown) => {
        toast.error(error instanceof Error ? error.message : `Could not check ${label}.`, { id: `copied:${label}` });
      },
    );
  }

  return (
    <div className="space-y-1">
      <label htmlFor={inputId} className="block text-sm font-medium text-slate-800">
        {label}
      </label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <input
          ref={inputRef}
          id={inputId}
          readOnly
          value={shown || fresh ? view.key : maskApiKey(view.key)}
          onClick={() => void copyFromField()}
          onDoubleClick={(event) => event.currentTarget.select()}
          onKeyDown={onKeyDown}
          onCopy={onCopy}
          aria-describedby={`${inputId}-help ${inputId}-history ${inputId}-usage`}
          spellCheck={false}
          className="w-full min-w-0 cursor-copy rounded-md border border-slate-300 bg-slate-50 px-2 py-2 font-mono text-xs focus:outline-2 focus:outline-indigo-600 sm:flex-1 sm:px-3 sm:text-sm"
        />
        <div className="flex flex-wrap items-center gap-2">
          <CopyButton ref={copyRef} what={label} text={async () => (await keys.ensureCurrent(slot)).key} onFailure={showSelected} />
          <Button
            variant="secondary"
            className="w-16"
            onClick={() => {
              setShown((value) => !(value || fresh));
              setFresh(false);
            }}
            aria-label={`${shown || fresh ? 'Hide' : 'Show'} ${label}`}
          >
            {shown || fresh ? 'Hide' : 'Show'}
          </Button>
          <Button
            ref={regenerateRef}
            variant="secondary"
            onClick={() => {
              setDialogOpen(true);
              // The warning in the dialog uses the freshest "last used" (the dialog says what it knows if this fails).
              void keys.ensureCurrent(slot).catch(() => undefined);
            }}
            disabled={disabledReason !== null}
            aria-label={`Regenerate ${label}`}
            aria-describedby={disabledReason ? `${inputId}-reason` : undefined}
          >
            Regenerate
          </Button>
        </div>
      </div>
      <p id={`${inputId}-help`} className="sr-only">
        Press Enter to copy the key.
      </p>
      {notice ? (
        <p role="status" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {notice}
        </p>
      ) : null}
      {fresh ? (
        <p role="status" className="rounded-md border border-emerald-300 bg-emerald-50 px-3 py-2 text-sm text-emerald-900">
          This is the new {label}: copy it now and update your applications. The old key no longer works.
        </p>
      ) : null}
      <p id={`${inputId}-history`} className="text-xs text-slate-600">
        {view.regenerated ? 'Regenerated' : 'Created'} <RelativeTime date={view.createdAt} now={now} />
        {keyOrigin(view)}
      </p>
      <p id={`${inputId}-usage`} className="text-xs text-slate-600">
        <KeyUsage view={view} now={now} />
      </p>
      {disabledReason ? (
        <p id={`${inputId}-reason`} className="text-xs text-slate-600">
          {disabledReason}
        </p>
      ) : null}
      {dialogOpen ? (
        <RegenerateKeyDialog
          slot={slot}
          now={now}
          onClose={(newKey) => {
            setDialogOpen(false);
            if (newKey) {
              keys.replaced(slot, newKey);
              setFresh(true);
              requestAnimationFrame(() => copyRef.current?.focus());
            } else {
              regenerateRef.current?.focus();
            }
          }}
        />
      ) : null}
    </div>
  );
}
