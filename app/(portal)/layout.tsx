import Link from 'next/link';
import type { ReactNode } from 'react';
import { OrgSwitcher } from '@/components/portal/org-switcher';
import { UserMenu } from '@/components/portal/user-menu';
import { NotificationsBell } from '@/components/portal/notifications-bell';
import { unreadNotificationCount } from '@/lib/data/notifications';
import { listOrgAccess } from '@/lib/auth/access';
import { redirectToSignIn } from '@/lib/auth/guards';
import { getCurrentUser } from '@/lib/auth/session';
import { reauthOptions } from '@/lib/auth/step-up';
import { StepUpProvider } from '@/components/auth/step-up';
import { countInvitationsFor } from '@/lib/data/invitations';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  // Signed out: sign in, then come back to the page asked for (same site only), told why when the session was ended elsewhere.
  if (!user) return redirectToSignIn();
  const [orgs, stepUpOptions, invitations, unread] = await Promise.all([
    listOrgAccess(user.id),
    reauthOptions(user.id),
    countInvitationsFor(user),
    unreadNotificationCount(user),
  ]);
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <div className="flex items-center gap-4">
            <Link href="/" className="font-semibold">
              Spice Portal
            </Link>
            <OrgSwitcher orgs={orgs.map((access) => ({ name: access.org.name, role: access.role }))} />
          </div>
          <div className="flex items-center gap-3">
            {invitations > 0 ? (
              <Link
                href="/invite"
                className="rounded-full bg-indigo-700 px-3 py-1 text-sm font-medium text-white hover:bg-indigo-800 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                Invitations ({invitations})
              </Link>
            ) : null}
            <NotificationsBell unread={unread} />
            <UserMenu name={user.name} email={user.email} />
          </div>
        </div>
      </header>
      <StepUpProvider options={stepUpOptions}>{children}</StepUpProvider>
    </div>
  );
}
