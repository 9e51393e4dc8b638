'use client';

import { useRouter } from 'next/navigation';
import { useRef, useState } from 'react';
import toast from 'react-hot-toast';
import { useStepUp } from '@/components/auth/step-up';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { TypeToConfirmField } from '@/components/ui/type-to-confirm-field';
import { deleteApp } from '@/lib/actions/delete-app';

/**
 * Delete app, behind a dialog that asks for the app's name: Delete stays disabled until the
 * typed name matches. On success the page goes to the organization's apps, with a toast.
 */
export function DeleteAppButton({ appId, name }: { appId: number; name: string }) {
  const router = useRouter();
  const stepUp = useStepUp();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const buttonRef = useRef<HTMLButtonElement>(null);
  const deleted = useRef(false);

  return (
    <>
      <Button ref={buttonRef} variant="danger" onClick={() => setOpen(true)}>
        Delete app
      </Button>
      {open ? (
        <ConfirmDialog
          title={`Delete ${name}?`}
          confirmLabel="Delete app"
          busyLabel="Deleting…"
          confirmDisabled={typed.trim() !== name}
          onClose={() => {
            setOpen(false);
            setTyped('');
            if (!deleted.current) buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await stepUp(() => deleteApp({ appId, confirmName: typed }));
            if (result.ok) {
              deleted.current = true;
              toast.success(`Deleted ${result.data.name}`);
              router.push(`/${result.data.org}`);
            } else {
              toast.error(result.error);
            }
          }}
        >
          <p>
            This deletes <strong>{name}</strong> and both of its API keys. Applications using either key lose access immediately. This cannot be undone.
          </p>
          <TypeToConfirmField expected={name} name="confirmName" value={typed} onChange={setTyped} />
        </ConfirmDialog>
      ) : null}
    </>
  );
}
