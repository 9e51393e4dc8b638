'use client';

import { useRef } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { useKeys } from '@/components/keys/keys-context';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { DAY_MS, timeAgo } from '@/lib/shared/time';

const RECENT_MS = 15 * 60 * 1000;

/**
 * Confirmation before regenerating a key. It names the app, and shows the two-key rotation at
 * the moment it matters: a key used in the last 15 minutes still has clients that will lose
 * access, and a key unused for a day is safe to replace. `onClose` gets the new key on success.
 */
export function RegenerateKeyDialog({ slot, now, onClose }: { slot: 1 | 2; now: number; onClose: (newKey: string | null) => void }) {
  const keys = useKeys();
  const stepUp = useStepUp();
  const view = keys.view(slot);
  const label = `API Key ${slot}`;
  const other = `API Key ${slot === 1 ? 2 : 1}`;
  const lastUsed = view.lastUsedAt ? new Date(view.lastUsedAt) : null;
  const age = lastUsed ? now - lastUsed.getTime() : Infinity;
  const newKey = useRef<string | null>(null);
  return (
    <ConfirmDialog
      title={`Regenerate ${label}?`}
      confirmLabel="Regenerate"
      busyLabel="Regenerating…"
      onClose={() => onClose(newKey.current)}
      onConfirm={async () => {
        const result = await stepUp(() => regenerateApiKey({ appId: keys.appId, slot }));
        if (result.ok) {
          newKey.current = result.data.key;
          toast.success(`${label} regenerated`, { id: `regenerated:${label}` });
        } else {
          toast.error(result.error);
        }
      }}
    >
      {lastUsed && age < RECENT_MS ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 font-medium text-amber-900">
          {label} was used {timeAgo(lastUsed, new Date(now))}. Clients still using it will lose access. Move them to {other} first.
        </p>
      ) : null}
      {age >= DAY_MS ? <p>{label} has not been used in the last 24 hours.</p> : null}
      <p>
        The current {label} of <strong>{keys.appName}</strong> stops working immediately. Applications using it lose access until they switch to the new key.
      </p>
      <p>To rotate with no downtime, move your applications to {other} first.</p>
    </ConfirmDialog>
  );
}
