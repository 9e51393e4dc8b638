import type { Metadata } from 'next';
import { getApiKeysForDisplay } from '@/lib/data/apps';
import { requireApp } from '@/lib/data/current';
import { maskApiKey } from '@/lib/keys/display';
import { canManage } from '@/lib/roles';
import { runtimePublicUrl } from '@/lib/env';
import { timeAgo } from '@/lib/time';
import { ApiKeyField } from './api-key-field';
import { ConnectPanel } from './connect-panel';

export const metadata: Metadata = { title: 'General settings' };

export default async function GeneralSettingsPage({ params }: { params: Promise<{ org: string; app: string }> }) {
  const { org, app: appName } = await params;
  const { app } = await requireApp(org, appName);
  const keys = await getApiKeysForDisplay(app.id);
  const mayRegenerate = canManage(app.role);
  const now = new Date();
  return (
    <main className="space-y-6">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <section aria-labelledby="general-heading" className="space-y-5 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <div>
          <h2 id="general-heading" className="text-lg font-semibold">
            General
          </h2>
          <p className="mt-1 text-sm text-slate-700">
            Each app has two API keys. Click a key to copy it. Regenerating a key invalidates the old key at once: to
            rotate with no downtime, move your applications to the other key first, then regenerate.
          </p>
        </div>
        {keys.map((key) => (
          <ApiKeyField
            key={key.slot}
            appId={app.id}
            slot={key.slot}
            apiKey={key.key}
            history={`${key.regenerated ? 'Regenerated' : 'Created'} ${timeAgo(key.createdAt, now)}${key.createdBy ? ` by ${key.createdBy}` : ''}${key.createdViaToken ? ` via token ${key.createdViaToken}` : ''}`}
            usage={key.lastUsedAt ? `Last used ${timeAgo(key.lastUsedAt, now)}` : 'Never used'}
            disabledReason={mayRegenerate ? null : 'Only owners and admins can regenerate keys.'}
          />
        ))}
      </section>
      <ConnectPanel endpoint={runtimePublicUrl()} maskedKey={maskApiKey(keys[0]!.key)} />
    </main>
  );
}
