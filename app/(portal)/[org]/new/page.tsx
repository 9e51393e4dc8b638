import type { Metadata } from 'next';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { can, REFUSALS } from '@/lib/auth/permissions';
import { NewAppForm } from './new-app-form';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'New app');
}

export default async function NewAppPage({ params }: { params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  return (
    <main className="max-w-lg">
      <Breadcrumbs items={[{ label: access.org.name, href: `/${access.org.name}` }, { label: 'New app' }]} />
      <h1 className="mb-4 mt-2 text-2xl font-semibold">New app</h1>
      {can(access.role, 'app:create') ? <NewAppForm org={access.org.name} /> : <p className="text-slate-700">{REFUSALS['app:create']}</p>}
    </main>
  );
}
