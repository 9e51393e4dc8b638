import type { Metadata } from 'next';
import Link from 'next/link';
import { buttonClass } from '@/components/ui/button';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { can } from '@/lib/auth/permissions';
import { listApps } from '@/lib/data/apps';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Apps');
}

export default async function AppsPage({ params }: { params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  const { org } = access;
  const apps = await listApps(access);
  const mayCreate = can(access.role, 'app:create');
  return (
    <main>
      <Breadcrumbs items={[{ label: org.name, href: `/${org.name}` }, { label: 'Apps' }]} />
      <div className="mb-4 mt-2 flex items-center justify-between">
        <h1 className="text-2xl font-semibold">Apps</h1>
        {mayCreate ? (
          <Link href={`/${org.name}/new`} className={buttonClass('primary')}>
            New app
          </Link>
        ) : null}
      </div>
      {apps.length === 0 ? (
        <div className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
          <p className="font-medium">No apps yet</p>
          <p className="mt-1 text-sm text-slate-700">
            {mayCreate ? 'Create an app to get its two API keys.' : 'An owner or admin of this organization can create one.'}
          </p>
        </div>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {apps.map((app) => (
            <li key={app.id}>
              <Link
                href={`/${org.name}/${app.name}`}
                className="block rounded-lg border border-slate-200 bg-white p-4 shadow-sm hover:border-indigo-400 focus-visible:outline-2 focus-visible:outline-indigo-600"
              >
                <span className="font-medium">{app.name}</span>
                <span className="mt-1 block text-sm text-slate-700">{app.description || 'No description'}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
