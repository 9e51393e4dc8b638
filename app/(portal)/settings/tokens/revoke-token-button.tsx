'use client';

import { useRef, useState } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { revokeToken } from '@/lib/actions/tokens';

export function RevokeTokenButton({ tokenId, name }: { tokenId: string; name: string }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={buttonRef} variant="secondary" onClick={() => setOpen(true)} aria-label={`Revoke ${name}`}>
        Revoke
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Revoke ${name}?`}
          confirmLabel="Revoke"
          busyLabel="Revoking…"
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await revokeToken({ tokenId });
            if (result.ok) toast.success(`${name} revoked`);
            else toast.error(result.error);
          }}
        >
          <p>The token stops working immediately. Anything using it loses access to the management API.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
