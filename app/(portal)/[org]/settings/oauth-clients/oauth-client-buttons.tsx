'use client';

import { useRef, useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Modal } from '@/components/ui/modal';
import { TypeToConfirmField } from '@/components/ui/type-to-confirm-field';
import { useModalDialog } from '@/components/ui/use-modal-dialog';
import { deleteOAuthClient } from '@/lib/actions/delete-oauth-client';
import { regenerateOAuthClientSecret } from '@/lib/actions/regenerate-oauth-client-secret';
import { ClientSecretPanel, type ShownSecret } from './client-secret-panel';

type ClientProps = { org: string; clientId: string; name: string };

/** Regenerate secret, behind a dialog that asks for the client id; the new secret is shown once, in a dialog. */
export function RegenerateSecretButton({ org, clientId, name }: ClientProps) {
  const stepUp = useStepUp();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [shown, setShown] = useState<ShownSecret | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={buttonRef} variant="secondary" onClick={() => setOpen(true)} aria-label={`Regenerate secret of ${name}`}>
        Regenerate secret
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Regenerate the secret of ${name}?`}
          confirmLabel="Regenerate secret"
          busyLabel="Regenerating…"
          confirmDisabled={typed.trim() !== clientId}
          onClose={() => {
            setOpen(false);
            setTyped('');
          }}
          onConfirm={async () => {
            const result = await stepUp(() => regenerateOAuthClientSecret({ org, clientId, confirmClientId: typed }));
            if (result.ok) {
              setShown(result.data);
              toast.success(`New secret for ${name}`);
            } else {
              toast.error(result.error);
              buttonRef.current?.focus();
            }
          }}
        >
          <p>
            The current secret of <strong>{name}</strong> and every access token issued to it stop working immediately. Anything using them must get a new token
            with the new secret.
          </p>
          <TypeToConfirmField expected={clientId} name="confirmClientId" value={typed} onChange={setTyped} />
        </ConfirmDialog>
      ) : null}
      {shown ? (
        <SecretDialog
          shown={shown}
          onClose={() => {
            setShown(null);
            buttonRef.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}

/** The new secret in a modal dialog of its own, so it is not lost in the table. */
function SecretDialog({ shown, onClose }: { shown: ShownSecret; onClose: () => void }) {
  const { dialogRef, onKeyDown, close } = useModalDialog<HTMLButtonElement>();
  const dismiss = () => {
    close();
    onClose();
  };
  return (
    <Modal
      dialogRef={dialogRef}
      onKeyDown={onKeyDown}
      role="dialog"
      title={`New secret for ${shown.name}`}
      titleId="client-secret-title"
      describedBy="client-secret-body"
      busy={false}
      onDismiss={dismiss}
    >
      <div id="client-secret-body" className="mt-3">
        <ClientSecretPanel shown={shown} onDone={dismiss} />
      </div>
    </Modal>
  );
}

/** Delete, behind a confirmation: the client, its secret and its access tokens stop at once. */
export function DeleteOAuthClientButton({ org, clientId, name }: ClientProps) {
  const stepUp = useStepUp();
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  return (
    <>
      <Button ref={buttonRef} variant="danger" onClick={() => setOpen(true)} aria-label={`Delete ${name}`}>
        Delete
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Delete ${name}?`}
          confirmLabel="Delete client"
          busyLabel="Deleting…"
          onClose={() => setOpen(false)}
          onConfirm={async () => {
            const result = await stepUp(() => deleteOAuthClient({ org, clientId }));
            if (result.ok) toast.success(`Deleted ${result.data.name}`);
            else toast.error(result.error);
          }}
        >
          <p>
            <strong>{name}</strong>, its secret and every access token issued to it stop working immediately. Its name stays in Activity. This cannot be undone.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
