'use client';

import { useEffect, useRef, useState, type Ref } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { copyText, startCopy } from '@/lib/clipboard';

type Props = {
  /** What is copied, for the accessible name and the toast: "API Key 1" → "Copy API Key 1", "API Key 1 copied". */
  what: string;
  /** The text to copy, read when pressed (it may be checked with the server first). */
  text: () => Promise<string> | string;
  /** Shown beside "Copy"; the accessible name is always "Copy <what>". */
  label?: string;
  ref?: Ref<HTMLButtonElement>;
  /** When copying fails every way: let the caller show the text for copying by hand. */
  onFailure?: () => void;
};

/** A Copy button: copies, says "Copied" beside itself for two seconds, and keeps one toast per thing copied. */
export function CopyButton({ what, text, label = 'Copy', ref, onFailure }: Props) {
  const [copied, setCopied] = useState(false);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy() {
    const attempt = startCopy();
    let value: string;
    try {
      value = await text();
    } catch (error) {
      // Nothing is copied when what would be copied cannot be checked.
      toast.error(error instanceof Error ? error.message : `Could not copy ${what}.`, { id: `copied:${what}` });
      return;
    }
    // A later copy began while this one waited: it has the clipboard.
    if (!attempt.isLatest()) return;
    if (await copyText(value)) {
      toast.success(`${what} copied`, { id: `copied:${what}` });
      setCopied(true);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => setCopied(false), 2000);
    } else {
      toast.error(`Could not copy ${what}. Select it and press Ctrl+C (⌘C on a Mac).`, { id: `copied:${what}` });
      onFailure?.();
    }
  }

  return (
    <span className="inline-flex items-center gap-2">
      <Button ref={ref} variant="secondary" onClick={() => void copy()}>
        {label}
        <span className="sr-only"> {what}</span>
      </Button>
      <span aria-live="polite" className="min-w-14 text-xs font-medium text-emerald-800">
        {copied ? 'Copied' : ''}
      </span>
    </span>
  );
}

/** A labelled value (an endpoint, a masked key) with its Copy button beside it. */
export function CopyableValue({ label, value, what, text }: { label: string; value: string; what: string; text: Props['text'] }) {
  return (
    <div className="flex flex-wrap items-center justify-between gap-2 text-sm">
      <div className="min-w-0">
        <p className="font-medium text-slate-800">{label}</p>
        <p className="mt-1 break-all font-mono">{value}</p>
      </div>
      <CopyButton what={what} text={text} />
    </div>
  );
}
