import type { Metadata } from 'next';
import Link from 'next/link';
import { KeysProvider } from '@/components/keys/keys-context';
import { getApiKeysForDisplay } from '@/lib/data/apps';
import { requireApp } from '@/lib/auth/guards';
import { can, REFUSALS } from '@/lib/auth/permissions';
import { flightGeneratedCertificate, flightPublicUrl, runtimePublicUrl } from '@/lib/env';
import { ApiKeyField } from './api-key-field';
import { ConnectPanel } from './connect-panel';

export const metadata: Metadata = { title: 'General settings' };

export default async function GeneralSettingsPage({ params }: { params: Promise<{ org: string; app: string }> }) {
  const { org, app: appName } = await params;
  const { access } = await requireApp(org, appName);
  const { app } = access;
  const keys = await getApiKeysForDisplay(access);
  const mayRegenerate = can(access.role, 'key:regenerate');
  // One reading of the clock per request: relative times print the same on the server and while hydrating.
  const now = new Date().valueOf();
  return (
    <main className="space-y-6">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <KeysProvider appId={app.id} appName={app.name} keys={keys} loadedAt={now}>
        <section aria-labelledby="general-heading" className="space-y-5 rounded-lg border border-slate-200 bg-white p-4 shadow-sm sm:p-6">
          <div>
            <h2 id="general-heading" className="text-lg font-semibold">
              General
            </h2>
            <p className="mt-1 text-sm text-slate-700">
              Each app has two API keys. Click a key or its Copy button to copy it. Regenerating a key invalidates the old
              key at once: to rotate with no downtime, move your applications to the other key first, then regenerate.
            </p>
          </div>
          {keys.map((key) => (
            <ApiKeyField key={key.slot} slot={key.slot} now={now} disabledReason={mayRegenerate ? null : REFUSALS['key:regenerate']} />
          ))}
          <p className="text-sm">
            <Link className="font-medium text-indigo-700 underline" href={`/${access.org.name}/activity?app=${encodeURIComponent(app.name)}`}>
              View activity for this app
            </Link>
          </p>
        </section>
        <ConnectPanel endpoint={runtimePublicUrl()} flightUrl={flightPublicUrl()} flightCertificate={flightGeneratedCertificate()} />
      </KeysProvider>
    </main>
  );
}
