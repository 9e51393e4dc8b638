'use client';

import Link from 'next/link';
import { signOut } from 'next-auth/react';
import { useState } from 'react';
import toast from 'react-hot-toast';
import { signOutEverywhere } from '@/lib/actions/sign-out-everywhere';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { usePopover } from '@/components/ui/use-popover';

export function UserMenu({ name, email }: { name: string; email: string }) {
  const { open, setOpen, rootRef, popoverId, buttonProps } = usePopover();
  const [confirmEverywhere, setConfirmEverywhere] = useState(false);

  return (
    <div ref={rootRef} className="relative">
      <button
        {...buttonProps}
        className="flex items-center gap-2 rounded-full border border-slate-300 bg-white py-1 pl-1 pr-3 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        {/* The initial is drawn by CSS, so the button's name is exactly what it shows: "User menu for <name>". */}
        <span
          aria-hidden
          data-initial={name.slice(0, 1).toUpperCase()}
          className="flex size-7 items-center justify-center rounded-full bg-indigo-700 font-semibold text-white before:content-[attr(data-initial)]"
        />
        <span>
          <span className="sr-only">User menu for </span>
          {name}
        </span>
      </button>
      {open ? (
        <div id={popoverId} className="absolute right-0 z-20 mt-2 w-60 rounded-md border border-slate-200 bg-white p-2 shadow-lg">
          <p className="truncate px-2 py-1 text-xs text-slate-600">Signed in as {email}</p>
          <Link
            href="/settings/tokens"
            onClick={() => setOpen(false)}
            className="mt-1 block rounded px-2 py-2 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Personal access tokens
          </Link>
          <Link
            href="/settings/account"
            onClick={() => setOpen(false)}
            className="mt-1 block rounded px-2 py-2 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Change password
          </Link>
          <Link
            href="/settings/security"
            onClick={() => setOpen(false)}
            className="mt-1 block rounded px-2 py-2 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Security
          </Link>
          <Link
            href="/settings/sessions"
            onClick={() => setOpen(false)}
            className="mt-1 block rounded px-2 py-2 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Sessions
          </Link>
          <Link
            href="/settings/notifications"
            onClick={() => setOpen(false)}
            className="mt-1 block rounded px-2 py-2 text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Notifications
          </Link>
          <button
            type="button"
            onClick={() => signOut({ callbackUrl: '/login' })}
            className="mt-1 w-full rounded px-2 py-2 text-left text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Sign out
          </button>
          <button
            type="button"
            onClick={() => {
              setOpen(false);
              setConfirmEverywhere(true);
            }}
            className="mt-1 w-full rounded px-2 py-2 text-left text-sm hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-indigo-600"
          >
            Sign out everywhere
          </button>
        </div>
      ) : null}
      {confirmEverywhere ? (
        <ConfirmDialog
          title="Sign out everywhere?"
          confirmLabel="Sign out everywhere"
          busyLabel="Signing out…"
          onClose={() => {
            setConfirmEverywhere(false);
            buttonProps.ref.current?.focus();
          }}
          onConfirm={async () => {
            // Ends every session on the server, then clears this browser's cookie.
            const result = await signOutEverywhere({});
            if (!result.ok) toast.error(result.error);
            await signOut({ callbackUrl: '/login' });
          }}
        >
          <p>Every browser where you are signed in, this one included, goes back to the sign-in page. To keep this one, use Account → Sessions.</p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
