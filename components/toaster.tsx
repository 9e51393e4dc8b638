'use client';

import { Toaster as HotToaster } from 'react-hot-toast';

export function Toaster() {
  // In a landmark of its own, so that notifications are not content outside any landmark. The
  // class lets app/globals.css stop the toasts' motion for those who ask for less of it.
  return (
    <section aria-label="Notifications">
      <HotToaster
        position="top-center"
        containerClassName="toaster"
        toastOptions={{ duration: 4000, style: { background: 'var(--color-white)', color: 'var(--color-slate-900)' } }}
      />
    </section>
  );
}
