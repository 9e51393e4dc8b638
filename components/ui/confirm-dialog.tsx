'use client';

import { useTransition, type ReactNode } from 'react';
import { Button } from './button';
import { Modal } from './modal';
import { useModalDialog } from './use-modal-dialog';

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
  const { dialogRef, initialFocus: cancelRef, onKeyDown, close } = useModalDialog<HTMLButtonElement>();
  const [pending, startTransition] = useTransition();

  // Close the modal first: while it is open the rest of the page is inert and cannot take focus back.
  function dismiss() {
    close();
    onClose();
  }

  function confirm() {
    startTransition(async () => {
      await onConfirm();
      dismiss();
    });
  }

  return (
    <Modal
      dialogRef={dialogRef}
      onKeyDown={onKeyDown}
      role="alertdialog"
      title={title}
      titleId="confirm-dialog-title"
      describedBy="confirm-dialog-body"
      busy={pending}
      onDismiss={dismiss}
    >
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
    </Modal>
  );
}
