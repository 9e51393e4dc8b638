import Link from 'next/link';
import { redirect } from 'next/navigation';
import { buttonClass } from '@/components/ui/button';
import { getCurrentUser } from '@/lib/auth/session';
import { listOrgAccess } from '@/lib/auth/access';

export default async function HomePage() {
  const user = await getCurrentUser();
  if (user) {
    const [first] = await listOrgAccess(user.id);
    // One who left every organization starts a new one.
    redirect(first ? `/${first.org.name}` : '/new');
  }
  return (
    <main className="mx-auto flex min-h-screen max-w-xl flex-col justify-center gap-6 px-6">
      <h1 className="text-3xl font-semibold">Spice Portal</h1>
      <p className="text-slate-700">
        Create data apps, copy their API keys, and rotate them with no downtime. Every app has two keys: move your applications to one while you regenerate the
        other.
      </p>
      <div className="flex gap-3">
        <Link href="/signup" className={buttonClass('primary')}>
          Create account
        </Link>
        <Link href="/login" className={buttonClass('secondary')}>
          Sign in
        </Link>
      </div>
    </main>
  );
}
