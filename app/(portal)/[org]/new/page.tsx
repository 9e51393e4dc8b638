import type { Metadata } from 'next';
import { requireOrg } from '@/lib/data/current';
import { canManage } from '@/lib/roles';
import { NewAppForm } from './new-app-form';

export const metadata: Metadata = { title: 'New app' };

export default async function NewAppPage({ params }: { params: Promise<{ org: string }> }) {
  const { org } = await requireOrg((await params).org);
  return (
    <main className="max-w-lg">
      <h1 className="mb-4 text-2xl font-semibold">New app</h1>
      {canManage(org.role) ? (
        <NewAppForm org={org.name} />
      ) : (
        <p className="text-slate-700">Only owners and admins of {org.name} can create apps.</p>
      )}
    </main>
  );
}
