'use client';

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { readApiKey } from '@/lib/actions/read-api-key';
import type { ApiKeyView } from '@/lib/data/apps';
import { timeAgo } from '@/lib/time';

type Slot = 1 | 2;
type Fresh = { view: ApiKeyView; at: number };

type KeysState = {
  appId: number;
  appName: string;
  /** The key as the page knows it now. */
  view(slot: Slot): ApiKeyView;
  /** Asks the server for the key before it is handed out; when it changed, the page shows the new one and says so. */
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
  const who = view.createdBy ? ` by ${view.createdBy}` : '';
  const via = view.createdViaToken ? ` via token ${view.createdViaToken}` : '';
  return `API Key ${view.slot} was regenerated ${timeAgo(new Date(view.createdAt))}${who}${via}. The current key is shown, and copying gives the current key.`;
}

/**
 * Both keys of an app for the client parts of a page (the key fields, the Connect panel, the
 * quick start). The server's render is the starting point (`loadedAt` is when it was read);
 * a key is checked again before it is copied and when the window regains focus, so the page
 * never hands out a key that no longer works.
 */
export function KeysProvider({ appId, appName, keys, loadedAt, children }: { appId: number; appName: string; keys: ApiKeyView[]; loadedAt: number; children: ReactNode }) {
  const [fresh, setFresh] = useState<Partial<Record<Slot, Fresh>>>({});
  const [notices, setNotices] = useState<Partial<Record<Slot, string>>>({});
  const shownKeys = useRef<Partial<Record<Slot, string>>>({});

  const view = useCallback(
    (slot: Slot): ApiKeyView => {
      const rendered = keys.find((k) => k.slot === slot)!;
      const newer = fresh[slot];
      // Whichever was read last: a server render after a refresh, or a check made by the page.
      return newer && newer.at >= loadedAt ? newer.view : rendered;
    },
    [keys, fresh, loadedAt],
  );

  const ensureCurrent = useCallback(
    async (slot: Slot): Promise<ApiKeyView> => {
      const known = view(slot);
      const result = await readApiKey({ appId, slot });
      if (!result.ok) return known;
      const current = result.data;
      setFresh((state) => ({ ...state, [slot]: { view: current, at: Date.now() } }));
      if (current.key !== known.key && current.key !== shownKeys.current[slot]) {
        setNotices((state) => ({ ...state, [slot]: changeNotice(current) }));
      }
      shownKeys.current[slot] = current.key;
      return current;
    },
    [appId, view],
  );

  const replaced = useCallback(
    (slot: Slot, key: string) => {
      const known = view(slot);
      shownKeys.current[slot] = key;
      setFresh((state) => ({ ...state, [slot]: { view: { ...known, key, createdAt: new Date().toISOString(), regenerated: true, lastUsedAt: null, requests24h: 0 }, at: Date.now() } }));
      setNotices((state) => ({ ...state, [slot]: undefined }));
    },
    [view],
  );

  // Coming back to the tab: check the keys (someone may have rotated one meanwhile).
  useEffect(() => {
    const onFocus = () => {
      for (const { slot } of keys) void ensureCurrent(slot);
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
