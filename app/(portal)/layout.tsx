import Link from 'next/link';
import type { ReactNode } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { loginUrlFor, REQUESTED_PATH_HEADER } from '@/lib/shared/http/requested-path';
import { OrgSwitcher } from '@/components/portal/org-switcher';
import { UserMenu } from '@/components/portal/user-menu';
import { listOrgAccess } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';
import { countInvitationsFor } from '@/lib/data/invitations';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  // Signed out: sign in, then come back to the page asked for (same site only).
  if (!user) redirect(loginUrlFor((await headers()).get(REQUESTED_PATH_HEADER)));
  const [orgs, invitations] = await Promise.all([listOrgAccess(user.id), countInvitationsFor(user)]);
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
            <UserMenu name={user.name} email={user.email} />
          </div>
        </div>
      </header>
      {children}
    </div>
  );
}
