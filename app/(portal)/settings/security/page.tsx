import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/guards';
import { PasskeysSection } from './passkeys-section';

export const metadata: Metadata = { title: 'Security' };

// Each way of proving who you are is a section of its own (passkeys-section.tsx, ...).
export default async function SecurityPage() {
  const user = await requireUser();
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Security</h1>
        <p className="mt-1 text-sm text-slate-700">How you sign in to {user.email}.</p>
      </div>
      <PasskeysSection user={user} />
    </main>
  );
}
