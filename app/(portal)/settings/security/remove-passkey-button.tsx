'use client';

import { useRef, useState } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TextField } from '@/components/ui/text-field';
import { removePasskey } from '@/lib/actions/remove-passkey';

/** Remove, behind a confirmation; the last passkey also asks for the password. */
export function RemovePasskeyButton({ passkeyId, name, last }: { passkeyId: string; name: string; last: boolean }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const buttonRef = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={buttonRef} variant="secondary" onClick={() => setOpen(true)} aria-label={`Remove ${name}`}>
        Remove
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Remove ${name}?`}
          confirmLabel="Remove"
          busyLabel="Removing…"
          confirmDisabled={last && password.length === 0}
          onClose={() => {
            setOpen(false);
            setPassword('');
            buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await removePasskey(last ? { passkeyId, password } : { passkeyId });
            if (result.ok) toast.success(`Passkey ${name} removed`);
            else toast.error(result.error);
          }}
        >
          <p>You will no longer be able to sign in with this passkey.</p>
          {last ? (
            <>
              <p>It is your last passkey: enter your password to remove it.</p>
              {/* A current second factor's code joins the password here once the account can have one. */}
              <TextField
                label="Password"
                name="password"
                type="password"
                autoComplete="current-password"
                value={password}
                onChange={(event) => setPassword(event.target.value)}
                data-autofocus
              />
            </>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
