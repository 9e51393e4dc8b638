import type { ReactNode } from 'react';
import { NavLink } from '@/components/portal/nav-link';

/** The organization's settings: one page per concern, listed beside (or, on a phone, above) the page. */
export default async function OrgSettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { org } = await params;
  return (
    <div className="flex flex-col gap-6 md:flex-row">
      <nav aria-label="Settings" className="md:w-48 md:shrink-0">
        <ul className="flex flex-wrap gap-1 md:flex-col">
          <li>
            <NavLink href={`/${org}/settings/security`}>Security</NavLink>
          </li>
          <li>
            <NavLink href={`/${org}/settings/webhooks`}>Webhooks</NavLink>
          </li>
        </ul>
      </nav>
      <div className="min-w-0 flex-1">{children}</div>
    </div>
  );
}
