'use client';

import { Toaster as HotToaster } from 'react-hot-toast';

export function Toaster() {
  // In a landmark of its own, so that notifications are not content outside any landmark.
  return (
    <section aria-label="Notifications">
      <HotToaster position="top-center" toastOptions={{ duration: 4000, style: { background: 'var(--color-white)', color: 'var(--color-slate-900)' } }} />
    </section>
  );
}
