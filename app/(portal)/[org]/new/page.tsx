import type { Metadata } from 'next';
import { requireOrg } from '@/lib/auth/guards';
import { can, REFUSALS } from '@/lib/auth/permissions';
import { NewAppForm } from './new-app-form';

export const metadata: Metadata = { title: 'New app' };

export default async function NewAppPage({ params }: { params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  return (
    <main className="max-w-lg">
      <h1 className="mb-4 text-2xl font-semibold">New app</h1>
      {can(access.role, 'app:create') ? (
        <NewAppForm org={access.org.name} />
      ) : (
        <p className="text-slate-700">{REFUSALS['app:create']}</p>
      )}
    </main>
  );
}
