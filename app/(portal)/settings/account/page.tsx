import type { Metadata } from 'next';
import { requireUser } from '@/lib/auth/guards';
import { ChangePasswordForm } from './change-password-form';

export const metadata: Metadata = { title: 'Change password' };

export default async function AccountPage() {
  const user = await requireUser();
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Change password</h1>
        <p className="mt-1 text-sm text-slate-700">For {user.email}. Changing the password signs you out everywhere else; this browser stays signed in.</p>
      </div>
      <section className="max-w-xl rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <ChangePasswordForm />
      </section>
    </main>
  );
}
