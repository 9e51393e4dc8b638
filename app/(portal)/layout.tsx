import Link from 'next/link';
import type { ReactNode } from 'react';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { loginUrlFor, REQUESTED_PATH_HEADER } from '@/lib/shared/http/requested-path';
import { OrgSwitcher } from '@/components/portal/org-switcher';
import { UserMenu } from '@/components/portal/user-menu';
import { NotificationsBell } from '@/components/portal/notifications-bell';
import { unreadNotificationCount } from '@/lib/data/notifications';
import { listOrgAccess } from '@/lib/auth/access';
import { getCurrentUser } from '@/lib/auth/session';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  // Signed out: sign in, then come back to the page asked for (same site only).
  if (!user) redirect(loginUrlFor((await headers()).get(REQUESTED_PATH_HEADER)));
  const [orgs, unread] = await Promise.all([listOrgAccess(user.id), unreadNotificationCount(user)]);
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
            <NotificationsBell unread={unread} />
            <UserMenu name={user.name} email={user.email} />
          </div>
        </div>
      </header>
      {children}
    </div>
  );
}
