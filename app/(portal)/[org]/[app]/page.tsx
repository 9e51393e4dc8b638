import type { Metadata } from 'next';
import Link from 'next/link';
import { KeysProvider } from '@/components/keys/keys-context';
import { RelativeTime } from '@/components/ui/relative-time';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { appPageMetadata, requireApp } from '@/lib/auth/guards';
import { getApiKeysForDisplay } from '@/lib/data/apps';
import { grantIf, REFUSALS } from '@/lib/auth/permissions';
import { runtimePublicUrl } from '@/lib/env';
import { QuickStart } from './quick-start';

export async function generateMetadata({ params }: { params: Promise<{ org: string; app: string }> }): Promise<Metadata> {
  const { org, app } = await params;
  return appPageMetadata(org, app, (access) => access.app.name);
}

export default async function AppOverviewPage({ params }: { params: Promise<{ org: string; app: string }> }) {
  const { org, app: appName } = await params;
  const { access } = await requireApp(org, appName);
  const { app } = access;
  // The quick start runs with API Key 1: only for a caller proven to hold key:view.
  const keyView = grantIf(access, 'key:view');
  const keys = keyView ? await getApiKeysForDisplay(keyView, [1]) : null;
  // One reading of the clock per request: relative times print the same on the server and while hydrating.
  const now = new Date().valueOf();
  return (
    <main className="space-y-6">
      <Breadcrumbs items={[{ label: access.org.name, href: `/${access.org.name}` }, { label: app.name }]} />
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">{app.name}</h1>
        <p className="text-slate-700">{app.description || 'No description.'}</p>
        <p className="text-sm text-slate-600">
          App ID {app.id} · created <RelativeTime date={app.createdAt} now={now} /> · both keys are under{' '}
          <Link className="font-medium text-indigo-700 underline" href={`/${access.org.name}/${app.name}/settings/general`}>
            Settings → General
          </Link>
        </p>
      </div>
      {keys ? (
        <KeysProvider appId={app.id} appName={app.name} keys={keys}>
          <QuickStart endpoint={runtimePublicUrl()} />
        </KeysProvider>
      ) : (
        // A viewer: no key, so no quick start either (its Copy and Run query use API Key 1).
        <p className="text-sm text-slate-700">{REFUSALS['key:view']} The quick start runs queries with API Key 1, so it is not offered.</p>
      )}
    </main>
  );
}
