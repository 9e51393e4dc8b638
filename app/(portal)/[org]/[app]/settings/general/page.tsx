import type { Metadata } from 'next';
import Link from 'next/link';
import { KeysProvider } from '@/components/keys/keys-context';
import { getApiKeysForDisplay, getApiKeyUsage } from '@/lib/data/apps';
import { appPageMetadata, requireApp } from '@/lib/auth/guards';
import { can, grantIf, REFUSALS } from '@/lib/auth/permissions';
import { flightGeneratedCertificate, flightPublicUrl, runtimePublicUrl } from '@/lib/env';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { Card } from '@/components/ui/card';
import { ApiKeyField } from './api-key-field';
import { AppDetailsForm } from './app-details-form';
import { ConnectPanel } from './connect-panel';
import { DeleteAppButton } from './delete-app-dialog';
import { MaskedKeyField } from './masked-key-field';

export async function generateMetadata({ params }: { params: Promise<{ org: string; app: string }> }): Promise<Metadata> {
  const { org, app } = await params;
  return appPageMetadata(org, app, 'General settings');
}

export default async function GeneralSettingsPage({ params }: { params: Promise<{ org: string; app: string }> }) {
  const { org, app: appName } = await params;
  const { access } = await requireApp(org, appName);
  const { app } = access;
  // Keys are decrypted only with the proof of a key:view check (lib/auth/permissions.ts).
  const keyView = grantIf(access, 'key:view');
  const keys = keyView ? await getApiKeysForDisplay(keyView) : null;
  // A role without it (a viewer) gets the keys' use only: no ciphertext is even read.
  const usage = keyView ? null : await getApiKeyUsage(access);
  const mayRegenerate = can(access.role, 'key:regenerate');
  const mayUpdate = can(access.role, 'app:update');
  const mayDelete = can(access.role, 'app:delete');
  // One reading of the clock per request: relative times print the same on the server and while hydrating.
  const now = new Date().valueOf();
  const activityLink = (
    <p className="text-sm">
      <Link className="font-medium text-indigo-700 underline" href={`/${access.org.name}/activity?app=${encodeURIComponent(app.name)}`}>
        View activity for this app
      </Link>
    </p>
  );
  return (
    <main className="space-y-6">
      <Breadcrumbs
        items={[
          { label: access.org.name, href: `/${access.org.name}` },
          { label: app.name, href: `/${access.org.name}/${app.name}` },
          { label: 'Settings', href: `/${access.org.name}/${app.name}/settings/general` },
          { label: 'General', separator: '›' },
        ]}
      />
      <h1 className="text-2xl font-semibold">Settings</h1>
      {keys ? (
        <KeysProvider appId={app.id} appName={app.name} keys={keys}>
          <Card
            id="general-heading"
            title="General"
            intro="Each app has two API keys. Click a key or its Copy button to copy it. Regenerating a key invalidates the old key at once: to rotate with no downtime, move your applications to the other key first, then regenerate."
          >
            {keys.map((key) => (
              <ApiKeyField key={key.slot} slot={key.slot} now={now} disabledReason={mayRegenerate ? null : REFUSALS['key:regenerate']} />
            ))}
            {activityLink}
          </Card>
          <ConnectPanel endpoint={runtimePublicUrl()} flightUrl={flightPublicUrl()} flightCertificate={flightGeneratedCertificate()} />
        </KeysProvider>
      ) : (
        <>
          <Card id="general-heading" title="General" intro="Each app has two API keys.">
            {(usage ?? []).map((view) => (
              <MaskedKeyField key={view.slot} view={view} now={now} reason={REFUSALS['key:view']} />
            ))}
            {activityLink}
          </Card>
          <Card id="connect-heading" title="Connect" intro={REFUSALS['key:view']}>
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="font-medium text-slate-800">Endpoint</dt>
                <dd className="font-mono">{runtimePublicUrl()}</dd>
              </div>
              <div>
                <dt className="font-medium text-slate-800">Arrow Flight</dt>
                <dd className="font-mono">{flightPublicUrl()}</dd>
              </div>
            </dl>
          </Card>
        </>
      )}
      <Card id="details-heading" title="Name and description">
        {mayUpdate ? (
          <AppDetailsForm appId={app.id} name={app.name} description={app.description} />
        ) : (
          <>
            <dl className="space-y-3 text-sm">
              <div>
                <dt className="font-medium text-slate-800">App name</dt>
                <dd className="font-mono">{app.name}</dd>
              </div>
              <div>
                <dt className="font-medium text-slate-800">Description</dt>
                <dd className="whitespace-pre-line text-slate-700">{app.description || 'No description.'}</dd>
              </div>
            </dl>
            <p className="text-sm text-slate-700">{REFUSALS['app:update']}</p>
          </>
        )}
      </Card>
      <Card id="danger-heading" title="Danger zone" danger>
        <div className="flex flex-wrap items-center justify-between gap-4">
          <div className="max-w-prose text-sm text-slate-700">
            <p className="font-medium text-slate-900">Delete this app</p>
            <p>Deletes the app and both of its API keys at once. Applications using either key lose access. This cannot be undone.</p>
          </div>
          {mayDelete ? <DeleteAppButton appId={app.id} name={app.name} /> : <p className="text-sm text-slate-700">{REFUSALS['app:delete']}</p>}
        </div>
      </Card>
    </main>
  );
}
