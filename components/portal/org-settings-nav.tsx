import { NavLink } from './nav-link';

/** The pages under Organization → Settings, in order: one entry per page. */
export function orgSettingsPages(org: string): { href: string; label: string }[] {
  return [
    { href: `/${org}/settings/security`, label: 'Security' },
    { href: `/${org}/settings/oauth-clients`, label: 'OAuth clients' },
    { href: `/${org}/settings/webhooks`, label: 'Webhooks' },
  ];
}

/** The sub-navigation of an organization's settings (its layout shows it above every settings page). */
export function OrgSettingsNav({ org }: { org: string }) {
  return (
    <nav aria-label="Organization settings" className="mb-4 flex flex-wrap gap-1">
      {orgSettingsPages(org).map((page) => (
        <NavLink key={page.href} href={page.href}>
          {page.label}
        </NavLink>
      ))}
    </nav>
  );
}
