'use client';

import { useRef, useState, useTransition } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { signOutOtherSessions } from '@/lib/actions/sign-out-other-sessions';
import { signOutSession } from '@/lib/actions/sign-out-session';

/** Signs out one other session at once: that browser is sent to sign in on its next page. */
export function SignOutSessionButton({ session, description }: { session: string; description: string }) {
  const [pending, startTransition] = useTransition();
  return (
    <Button
      variant="secondary"
      aria-label={`Sign out ${description}`}
      disabled={pending}
      aria-busy={pending}
      onClick={() =>
        startTransition(async () => {
          const result = await signOutSession({ session });
          if (result.ok) toast.success(`Signed out ${description}`);
          else toast.error(result.error);
        })
      }
    >
      {pending ? 'Signing out…' : 'Sign out'}
    </Button>
  );
}

/** Sign out everywhere else, behind a confirmation. */
export function SignOutOthersButton({ others }: { others: number }) {
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const sessions = `${others} other session${others === 1 ? '' : 's'}`;
  return (
    <>
      <Button ref={buttonRef} variant="secondary" onClick={() => setOpen(true)}>
        Sign out everywhere else
      </Button>
      {open ? (
        <ConfirmDialog
          title="Sign out everywhere else?"
          confirmLabel="Sign out everywhere else"
          busyLabel="Signing out…"
          onClose={() => {
            setOpen(false);
            buttonRef.current?.focus();
          }}
          onConfirm={async () => {
            const result = await signOutOtherSessions({});
            if (result.ok) toast.success(`Signed out ${result.data.ended} other session${result.data.ended === 1 ? '' : 's'}`);
            else toast.error(result.error);
          }}
        >
          <p>This signs out {sessions}. Each browser goes back to the sign-in page on its next page; this one stays signed in.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
