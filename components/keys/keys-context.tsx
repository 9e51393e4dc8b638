'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { readApiKey } from '@/lib/actions/read-api-key';
import type { ApiKeyView } from '@/lib/data/apps';
import { timeAgo } from '@/lib/shared/time';
import { keyOrigin } from './key-usage';

type Slot = 1 | 2;
/** A key read by the page itself, and the server render it was read on top of. */
type Fresh = { view: ApiKeyView; basis: ApiKeyView[] };

type KeysState = {
  appId: number;
  appName: string;
  /** The key as the page knows it now. */
  view(slot: Slot): ApiKeyView;
  /**
   * Asks the server for the key before it is handed out; when it changed, the page shows the new
   * one and says so. Throws (with a message to show) when the key cannot be checked: the page
   * then hands out nothing rather than a key that may no longer work.
   */
  ensureCurrent(slot: Slot): Promise<ApiKeyView>;
  /** What changed since the page loaded, per key ("API Key 2 was regenerated 1 minute ago by …"). */
  notice(slot: Slot): string | null;
  /** The page's own regeneration: show the new key at once. */
  replaced(slot: Slot, key: string): void;
};

const KeysContext = createContext<KeysState | null>(null);

export function useKeys(): KeysState {
  const state = useContext(KeysContext);
  if (!state) throw new Error('useKeys needs a KeysProvider');
  return state;
}

function changeNotice(view: ApiKeyView): string {
  return `API Key ${view.slot} was regenerated ${timeAgo(new Date(view.createdAt))}${keyOrigin(view)}. The current key is shown, and copying gives the current key.`;
}

/**
 * Both keys of an app for the client parts of a page (the key fields, the Connect panel, the
 * quick start). The server's render is the starting point; a key is checked again before it is
 * copied and when the window regains focus, so the page never hands out a key that no longer
 * works. A key the page read itself counts until the server renders the page again (no clocks
 * are compared: the browser's and the server's may differ).
 */
export function KeysProvider({ appId, appName, keys, children }: { appId: number; appName: string; keys: ApiKeyView[]; children: ReactNode }) {
  const [fresh, setFresh] = useState<Partial<Record<Slot, Fresh>>>({});
  const [notices, setNotices] = useState<Partial<Record<Slot, string>>>({});
  const shownKeys = useRef<Partial<Record<Slot, string>>>({});

  const view = useCallback(
    (slot: Slot): ApiKeyView => {
      const rendered = keys.find((k) => k.slot === slot)!;
      const newer = fresh[slot];
      // A check made on top of this very render is newer than it; a later render replaces both.
      return newer && newer.basis === keys ? newer.view : rendered;
    },
    [keys, fresh],
  );

  const ensureCurrent = useCallback(
    async (slot: Slot): Promise<ApiKeyView> => {
      const known = view(slot);
      let result: Awaited<ReturnType<typeof readApiKey>>;
      try {
        result = await readApiKey({ appId, slot });
      } catch {
        throw new Error(`Could not check API Key ${slot} with the server. Check your connection and try again.`);
      }
      if (!result.ok) throw new Error(result.error);
      const current = result.data;
      setFresh((state) => ({ ...state, [slot]: { view: current, basis: keys } }));
      if (current.key !== known.key && current.key !== shownKeys.current[slot]) {
        setNotices((state) => ({ ...state, [slot]: changeNotice(current) }));
      }
      shownKeys.current[slot] = current.key;
      return current;
    },
    [appId, view, keys],
  );

  const replaced = useCallback(
    (slot: Slot, key: string) => {
      const known = view(slot);
      shownKeys.current[slot] = key;
      setFresh((state) => ({
        ...state,
        [slot]: {
          view: { ...known, key, createdAt: new Date().toISOString(), regenerated: true, lastUsedAt: null, requests1h: 0, requests24h: 0 },
          basis: keys,
        },
      }));
      setNotices((state) => ({ ...state, [slot]: undefined }));
    },
    [view, keys],
  );

  // Coming back to the tab: check the keys (someone may have rotated one meanwhile).
  useEffect(() => {
    const onFocus = () => {
      // Failures here are quiet: the next copy checks again and says what went wrong.
      for (const { slot } of keys) void ensureCurrent(slot).catch(() => undefined);
    };
    window.addEventListener('focus', onFocus);
    return () => window.removeEventListener('focus', onFocus);
  }, [ensureCurrent, keys]);

  const state = useMemo<KeysState>(
    () => ({ appId, appName, view, ensureCurrent, notice: (slot) => notices[slot] ?? null, replaced }),
    [appId, appName, view, ensureCurrent, notices, replaced],
  );
  return <KeysContext.Provider value={state}>{children}</KeysContext.Provider>;
}
