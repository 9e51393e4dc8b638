import type { Metadata } from 'next';
import Link from 'next/link';
import { requireApp } from '@/lib/auth/guards';

export async function generateMetadata({ params }: { params: Promise<{ app: string }> }): Promise<Metadata> {
  return { title: (await params).app };
}

export default async function AppOverviewPage({ params }: { params: Promise<{ org: string; app: string }> }) {
  const { org, app: appName } = await params;
  const { access } = await requireApp(org, appName);
  const { app } = access;
  return (
    <main className="space-y-4">
      <h1 className="text-2xl font-semibold">{app.name}</h1>
      <p className="text-slate-700">{app.description || 'No description.'}</p>
      <dl className="grid max-w-md grid-cols-2 gap-2 text-sm">
        <dt className="text-slate-600">Organization</dt>
        <dd>{access.org.name}</dd>
        <dt className="text-slate-600">App ID</dt>
        <dd>{app.id}</dd>
        <dt className="text-slate-600">Created</dt>
        <dd>{app.createdAt.toISOString().slice(0, 10)}</dd>
      </dl>
      <p className="text-sm">
        Your API keys are under{' '}
        <Link className="font-medium text-indigo-700 underline" href={`/${access.org.name}/${app.name}/settings/general`}>
          Settings → General
        </Link>
        .
      </p>
    </main>
  );
}
