import type { ReactNode } from 'react';
import { NavLink } from '@/components/portal/nav-link';
import { requireApp } from '@/lib/auth/guards';

export default async function AppLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string; app: string }> }) {
  const { org, app: appName } = await params;
  const { access } = await requireApp(org, appName);
  const { app } = access;
  const base = `/${access.org.name}/${app.name}`;
  return (
    <div className="flex flex-col gap-6 md:flex-row">
      <aside className="md:w-52 md:shrink-0">
        <p className="mb-2 truncate px-3 text-sm font-semibold text-slate-800">{app.name}</p>
        <nav aria-label="App" className="flex gap-1 md:flex-col">
          <NavLink href={base} exact>
            Overview
          </NavLink>
          <NavLink href={`${base}/settings/general`}>Settings</NavLink>
        </nav>
      </aside>
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
