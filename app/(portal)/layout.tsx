import Link from 'next/link';
import type { ReactNode } from 'react';
import { redirect } from 'next/navigation';
import { UserMenu } from '@/components/portal/user-menu';
import { getCurrentUser } from '@/lib/auth/session';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const user = await getCurrentUser();
  if (!user) redirect('/login');
  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3">
          <Link href="/" className="font-semibold">
            Spice Portal
          </Link>
          <UserMenu name={user.name} email={user.email} />
        </div>
      </header>
      {children}
    </div>
  );
}
