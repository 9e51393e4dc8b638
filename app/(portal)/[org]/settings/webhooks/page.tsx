import type { Metadata } from 'next';
import Link from 'next/link';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { grantIf, REFUSALS } from '@/lib/auth/permissions';
import { listWebhookEndpoints } from '@/lib/data/webhooks';
import { serverEnv } from '@/lib/env';
import { WEBHOOK_EVENTS } from '@/lib/webhooks/events';
import { AddEndpointForm } from './add-endpoint-form';
import { EndpointStatus } from './endpoint-status';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Webhooks');
}

export default async function WebhooksPage({ params }: { params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  const org = access.org.name;
  const manager = grantIf(access, 'webhook:manage');
  const endpoints = manager ? await listWebhookEndpoints(manager) : [];
  const now = new Date();
  return (
    <main className="space-y-6">
      <Breadcrumbs items={[{ label: org, href: `/${org}` }, { label: 'Settings' }, { label: 'Webhooks', separator: '›' }]} />
      <div>
        <h1 className="text-2xl font-semibold">Webhooks</h1>
        <p className="mt-1 max-w-3xl text-sm text-slate-700">
          Signed HTTP POSTs to your endpoints when keys, apps or members change in {org}, per the Standard Webhooks specification. An event names what changed,
          never a key: the receiver fetches a new key through the management API with its own credential.
        </p>
      </div>
      {!manager ? (
        <p className="text-sm text-slate-700">{REFUSALS['webhook:manage']}</p>
      ) : (
        <>
          <section aria-labelledby="endpoints-heading" className="space-y-3">
            <h2 id="endpoints-heading" className="text-lg font-semibold">
              Endpoints
            </h2>
            {endpoints.length === 0 ? (
              <p className="text-sm text-slate-700">No endpoints yet.</p>
            ) : (
              <DataTable label="Webhook endpoints" headings={['URL', 'Events', 'Status', 'Created']}>
                {endpoints.map((endpoint) => (
                  <tr key={endpoint.id} className="border-t border-slate-200">
                    <th scope="row" className="px-3 py-2 font-medium">
                      <Link href={`/${org}/settings/webhooks/${endpoint.id}`} className="break-all text-indigo-800 underline hover:no-underline">
                        {endpoint.url}
                      </Link>
                      {endpoint.description ? <span className="block text-xs font-normal text-slate-600">{endpoint.description}</span> : null}
                    </th>
                    <td className="px-3 py-2 font-mono text-xs">{endpoint.events.join(', ')}</td>
                    <td className="px-3 py-2">
                      <EndpointStatus endpoint={endpoint} now={now} />
                    </td>
                    <td className="px-3 py-2">
                      <RelativeTime date={endpoint.createdAt} now={now} />
                      {endpoint.createdBy ? ` by ${endpoint.createdBy.name}` : ''}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <Card
            id="add-endpoint-heading"
            title="Add endpoint"
            className="max-w-3xl"
            intro={
              serverEnv().webhooksAllowPrivate
                ? 'An https:// or http:// URL (WEBHOOKS_ALLOW_PRIVATE is on: private addresses are allowed).'
                : 'An https:// URL on a public address. Deliveries time out after 10 seconds, follow no redirect, and are retried for 24 hours.'
            }
          >
            <AddEndpointForm org={org} events={Object.entries(WEBHOOK_EVENTS).map(([type, label]) => ({ type, label }))} />
          </Card>
        </>
      )}
    </main>
  );
}
