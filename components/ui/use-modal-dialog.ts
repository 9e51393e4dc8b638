'use client';

import { useEffect, useRef, type KeyboardEvent } from 'react';

/**
 * A native modal `<dialog>` that opens as it mounts: focus moves in, to a field marked
 * `data-autofocus` or else to `initialFocus`, and Tab and Shift+Tab stay inside. Spread
 * `onKeyDown` on the dialog. `close()` closes the modal (do it before moving focus back to the
 * page: while it is open the rest of the page is inert).
 */
export function useModalDialog<T extends HTMLElement>() {
  const dialogRef = useRef<HTMLDialogElement>(null);
  const initialFocus = useRef<T>(null);

  useEffect(() => {
    const dialog = dialogRef.current;
    if (!dialog) return;
    dialog.showModal();
    (dialog.querySelector<HTMLElement>('[data-autofocus]') ?? initialFocus.current)?.focus();
    return () => dialog.close();
  }, []);

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

  return { dialogRef, initialFocus, onKeyDown, close: () => dialogRef.current?.close() };
}
