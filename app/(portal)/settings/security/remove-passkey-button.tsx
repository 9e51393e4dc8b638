'use client';

import { startAuthentication } from '@simplewebauthn/browser';
import { useRef, useState } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TextField } from '@/components/ui/text-field';
import { passkeyBrowserMessage } from '@/components/passkeys/browser-messages';
import { beginPasskeyCheck } from '@/lib/actions/begin-passkey-check';
import { removePasskey } from '@/lib/actions/remove-passkey';

/** The removal's answer, or why it did not happen (a refused passkey, in its own words). */
async function remove(passkeyId: string, password: string | undefined, lastFactor: boolean): Promise<{ ok: true } | { ok: false; error: string }> {
  if (!lastFactor) return removePasskey(password === undefined ? { passkeyId } : { passkeyId, password });
  // The last second factor: this passkey answers too.
  const begun = await beginPasskeyCheck({});
  if (!begun.ok) return begun;
  try {
    const passkey = await startAuthentication({ optionsJSON: begun.data });
    return removePasskey({ passkeyId, password, passkey });
  } catch (failure) {
    return { ok: false, error: passkeyBrowserMessage(failure, 'use') };
  }
}

/**
 * Remove, behind a confirmation; the last passkey also asks for the password and, when it is
 * the last second factor (no authenticator app), the passkey itself: removing it turns
 * two-factor authentication off.
 */
export function RemovePasskeyButton({ passkeyId, name, last, lastFactor }: { passkeyId: string; name: string; last: boolean; lastFactor: boolean }) {
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
          confirmLabel={lastFactor ? 'Use your passkey and remove' : 'Remove'}
          busyLabel="Removing…"
          confirmDisabled={last && password.length === 0}
          onClose={() => {
            setOpen(false);
            setPassword('');
            buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await remove(passkeyId, last ? password : undefined, lastFactor);
            if (result.ok) toast.success(`Passkey ${name} removed`);
            else toast.error(result.error);
          }}
        >
          <p>You will no longer be able to sign in with this passkey.</p>
          {last ? (
            <>
              <p>
                {lastFactor
                  ? 'It is your last passkey and your only second factor: removing it turns two-factor authentication off and signs out your other sessions. Enter your password, then use this passkey to confirm.'
                  : 'It is your last passkey: enter your password to remove it.'}
              </p>
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
