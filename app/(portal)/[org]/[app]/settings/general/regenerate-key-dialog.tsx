'use client';

import toast from 'react-hot-toast';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';

/** Confirmation before regenerating a key; the opener gets focus back in onClose. */
export function RegenerateKeyDialog({ appId, slot, onClose }: { appId: number; slot: 1 | 2; onClose: () => void }) {
  const label = `API Key ${slot}`;
  return (
    <ConfirmDialog
      title={`Regenerate ${label}?`}
      confirmLabel="Regenerate"
      busyLabel="Regenerating…"
      onClose={onClose}
      onConfirm={async () => {
        const result = await regenerateApiKey({ appId, slot });
        if (result.ok) toast.success(`${label} regenerated`);
        else toast.error(result.error);
      }}
    >
      <p>
        The current {label} stops working immediately. Applications using it lose access until they switch to the new
        key.
      </p>
      <p>To rotate with no downtime, move your applications to the other key first.</p>
    </ConfirmDialog>
  );
}
