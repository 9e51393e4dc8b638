import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLink } from '@/components/portal/nav-link';
import { requireOrg } from '@/lib/auth/guards';

export default async function OrgLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { org } = (await requireOrg((await params).org)).access;
  return (
    <div className="mx-auto max-w-6xl px-6 py-6">
      <div className="mb-6 flex flex-wrap items-center justify-between gap-4 border-b border-slate-200 pb-3">
        <Link href={`/${org.name}`} className="text-lg font-semibold">
          {org.name}
        </Link>
        <nav aria-label="Organization" className="flex gap-1">
          <NavLink href={`/${org.name}`} exact>
            Apps
          </NavLink>
          <NavLink href={`/${org.name}/members`}>Members</NavLink>
        </nav>
      </div>
      {children}
    </div>
  );
}
