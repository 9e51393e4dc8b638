'use client';

import type { KeyboardEvent, ReactNode, RefObject } from 'react';

type Props = {
  /** From useModalDialog: the dialog's ref and its Tab trap. */
  dialogRef: RefObject<HTMLDialogElement | null>;
  onKeyDown: (event: KeyboardEvent<HTMLDialogElement>) => void;
  role?: 'dialog' | 'alertdialog';
  title: string;
  /** The heading's id; `describedBy` names the element that says what the dialog asks. */
  titleId: string;
  describedBy: string;
  /** While true, Escape does nothing (an action is under way). */
  busy: boolean;
  /** Escape: close without changing anything. */
  onDismiss: () => void;
  children: ReactNode;
};

/** The frame of a modal dialog: a native `<dialog>` with its heading, and Escape to dismiss it. */
export function Modal({ dialogRef, onKeyDown, role = 'dialog', title, titleId, describedBy, busy, onDismiss, children }: Props) {
  return (
    <dialog
      ref={dialogRef}
      role={role}
      aria-modal="true"
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onDismiss();
      }}
      className="m-auto w-full max-w-md rounded-lg bg-white p-6 shadow-xl"
    >
      <h2 id={titleId} className="text-lg font-semibold">
        {title}
      </h2>
      {children}
    </dialog>
  );
}
