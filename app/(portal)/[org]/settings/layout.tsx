import type { ReactNode } from 'react';
import { OrgSettingsNav } from '@/components/portal/org-settings-nav';
import { requireOrg } from '@/lib/auth/guards';

export default async function OrgSettingsLayout({ children, params }: { children: ReactNode; params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  return (
    <>
      <OrgSettingsNav org={access.org.name} />
      {children}
    </>
  );
}
