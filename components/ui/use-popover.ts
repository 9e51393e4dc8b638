'use client';

import { useEffect, useId, useRef, useState } from 'react';

/**
 * Open/closed state for a button that shows a popover (a menu of links): a press outside closes
 * it, and Escape closes it and gives focus back to the button. Spread `buttonProps` on the
 * button, give the popover `popoverId`, and put both inside `rootRef`.
 */
export function usePopover() {
  const [open, setOpen] = useState(false);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const popoverId = useId();

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!rootRef.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const buttonProps = {
    ref: buttonRef,
    type: 'button',
    'aria-expanded': open,
    'aria-controls': popoverId,
    onClick: () => setOpen((value) => !value),
  } as const;
  return { open, setOpen, rootRef, popoverId, buttonProps };
}
