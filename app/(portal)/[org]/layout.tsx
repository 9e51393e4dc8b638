import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLink } from '@/components/portal/nav-link';
import { requireOrg } from '@/lib/auth/guards';

export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { org } = (await requireOrg((await params).org)).access;
  return (
    <div className="mx-auto max-w-6xl px-4 py-6 sm:px-6">
      <nav aria-label="Organization" className="mb-6 flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 pb-3">
        <Link href={`/${org.name}`} className="text-lg font-semibold">
          {org.name}
        </Link>
        <div className="flex gap-1">
          <NavLink href={`/${org.name}`} exact>
            Apps
          </NavLink>
          <NavLink href={`/${org.name}/members`}>Members</NavLink>
          <NavLink href={`/${org.name}/activity`}>Activity</NavLink>
          <NavLink href={`/${org.name}/settings`}>Settings</NavLink>
        </div>
      </nav>
      {children}
    </div>
  );
}
