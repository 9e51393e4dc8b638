'use client';

import { useEffect, useRef, useTransition, type KeyboardEvent } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';

type Props = { appId: number; slot: 1 | 2; onClose: () => void };

/**
 * Confirmation before regenerating a key: a modal alertdialog. Focus moves in and stays there;
 * Escape and Cancel close it and change nothing; the opener gets focus back (onClose).
 */
export function RegenerateKeyDialog({ appId, slot, onClose }: Props) {
  const label = `API Key ${slot}`;
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    dialog.showModal();
    cancelRef.current?.focus();
    return () => dialog.close();
  }, []);

  // Close the modal first: while it is open the rest of the page is inert and cannot take focus back.
  function dismiss() {
    dialogRef.current?.close();
    onClose();
  }

  function confirm() {
    startTransition(async () => {
      const result = await regenerateApiKey({ appId, slot });
      if (result.ok) toast.success(`${label} regenerated`);
      else toast.error(result.error);
      dismiss();
    });
  }

  // Keep Tab and Shift+Tab inside the dialog.
  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab') return;
    const focusable = Array.from(dialogRef.current?.querySelectorAll<HTMLElement>('button:not([disabled])') ?? []);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) {
      event.preventDefault();
      return;
    }
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  const titleId = `regenerate-${slot}-title`;
  const bodyId = `regenerate-${slot}-body`;
  return (
    <dialog
      ref={dialogRef}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: close without changing anything, unless the regeneration is already under way.
        event.preventDefault();
        if (!pending) dismiss();
      }}
      className="m-auto w-full max-w-md rounded-lg bg-white p-6 shadow-xl"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        Regenerate {label}?
      </h2>
      <div id={bodyId} className="mt-2 space-y-2 text-sm text-slate-700">
        <p>
          The current {label} stops working immediately. Applications using it lose access until they switch to the new
          key.
        </p>
        <p>To rotate with no downtime, move your applications to the other key first.</p>
      </div>
      <div className="mt-6 flex justify-end gap-2">
        <Button ref={cancelRef} variant="secondary" onClick={dismiss} disabled={pending}>
          Cancel
        </Button>
        <Button variant="danger" onClick={confirm} disabled={pending} aria-busy={pending}>
          {pending ? 'Regenerating…' : 'Regenerate'}
        </Button>
      </div>
    </dialog>
  );
}
