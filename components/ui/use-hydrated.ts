'use client';

import { useSyncExternalStore } from 'react';

const subscribe = () => () => undefined;

/**
 * False in the server's HTML and while React hydrates it, true once the page's code runs. Forms
 * that submit through JavaScript keep their button disabled until then, so an early click is
 * never lost, nor sent as a plain form submission.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
