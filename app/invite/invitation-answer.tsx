'use client';

import { useRouter } from 'next/navigation';
import { signOut } from 'next-auth/react';
import { useTransition } from 'react';
import toast from 'react-hot-toast';
import { Button } from '@/components/ui/button';
import { acceptInvitation, declineInvitation } from '@/lib/actions/invitations';

/** Accept (then open the organization) or Decline one invitation: the link's (`token`) or one of the user's own (`invitationId`). */
export function InvitationAnswer({ answer, org }: { answer: { token: string } | { invitationId: string }; org: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();

  function accept() {
    startTransition(async () => {
      const result = await acceptInvitation(answer);
      if (!result.ok) {
        toast.error(result.error);
        router.refresh();
        return;
      }
      toast.success(`You joined ${result.data.org} as ${result.data.role}`);
      router.push(`/${result.data.org}`);
      router.refresh();
    });
  }

  function decline() {
    startTransition(async () => {
      const result = await declineInvitation(answer);
      if (result.ok) toast.success(`You declined the invitation to ${org}`);
      else toast.error(result.error);
      router.refresh();
    });
  }

  return (
    <div className="flex flex-wrap gap-2">
      <Button onClick={accept} disabled={pending} aria-busy={pending}>
        Accept<span className="sr-only"> the invitation to {org}</span>
      </Button>
      <Button variant="secondary" onClick={decline} disabled={pending}>
        Decline<span className="sr-only"> the invitation to {org}</span>
      </Button>
    </div>
  );
}

/** Signs out and comes back here, to sign in or create an account with the invited address. */
export function SignOutToAnswer() {
  return (
    <Button variant="secondary" onClick={() => signOut({ callbackUrl: '/invite' })}>
      Sign out
    </Button>
  );
}
