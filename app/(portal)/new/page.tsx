import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/guards';
import { NewOrganizationForm } from './new-organization-form';

export const metadata: Metadata = { title: 'New organization' };

export default async function NewOrganizationPage() {
  await requireUser();
  return (
    <main className="mx-auto max-w-lg px-4 py-6 sm:px-6">
      <h1 className="mb-2 text-2xl font-semibold">New organization</h1>
      <p className="mb-4 text-sm text-slate-700">An organization holds apps and their members. You will be its owner, and can add members under Members.</p>
      <NewOrganizationForm />
    </main>
  );
}
