'use client';

import { useEffect, useRef, useTransition, type KeyboardEvent, type ReactNode } from 'react';
import { Button } from './button';

type Props = {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel: string;
  /** Runs the confirmed action; the dialog stays open and busy until it settles. */
  onConfirm: () => Promise<void>;
  /** Called once the dialog has closed (Cancel, Escape, or after the action). */
  onClose: () => void;
  /** Keeps the confirm button disabled, e.g. until the user has typed what the dialog asks for. */
  confirmDisabled?: boolean;
};

/**
 * A modal confirmation with role alertdialog. Focus moves in (to Cancel, the safe choice, or to
 * a field of the body marked `data-autofocus`) and stays there; Escape and Cancel close it and change nothing. While the action runs, its button
 * shows it is busy and nothing can be pressed twice.
 */
export function ConfirmDialog({ title, children, confirmLabel, busyLabel, onConfirm, onClose, confirmDisabled = false }: Props) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const [pending, startTransition] = useTransition();

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    dialog.showModal();
    (dialog.querySelector<HTMLElement>('[data-autofocus]') ?? cancelRef.current)?.focus();
    return () => dialog.close();
  }, []);

  // Close the modal first: while it is open the rest of the page is inert and cannot take focus back.
  function dismiss() {
    dialogRef.current?.close();
    onClose();
  }

  function confirm() {
    startTransition(async () => {
      await onConfirm();
      dismiss();
    });
  }

  // Keep Tab and Shift+Tab inside the dialog.
  function onKeyDown(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== 'Tab') return;
    const focusable = Array.from(dialogRef.current?.querySelectorAll<HTMLElement>('button:not([disabled]), input:not([disabled])') ?? []);
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

  return (
    <dialog
      ref={dialogRef}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="confirm-dialog-title"
      aria-describedby="confirm-dialog-body"
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // Escape: close without changing anything, unless the action is already under way.
        event.preventDefault();
        if (!pending) dismiss();
      }}
      className="m-auto w-full max-w-md rounded-lg bg-white p-6 shadow-xl"
    >
      <h2 id="confirm-dialog-title" className="text-lg font-semibold">
        {title}
      </h2>
      <div id="confirm-dialog-body" className="mt-2 space-y-2 text-sm text-slate-700">
        {children}
      </div>
      <div className="mt-6 flex justify-end gap-2">
        <Button ref={cancelRef} variant="secondary" onClick={dismiss} disabled={pending}>
          Cancel
        </Button>
        <Button variant="danger" onClick={confirm} disabled={pending || confirmDisabled} aria-busy={pending}>
          {pending ? busyLabel : confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}
