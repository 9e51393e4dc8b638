import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { grantIf, REFUSALS } from '@/lib/auth/permissions';
import { DELIVERY_LOG_PAGE, findWebhookEndpoint } from '@/lib/data/webhooks';
import { EndpointStatus } from '../endpoint-status';
import { DeleteEndpointButton, EnableButton, ResendButton, RotateSecretButton, SendTestButton } from './endpoint-controls';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Webhook endpoint');
}

export default async function WebhookEndpointPage({ params }: { params: Promise<{ org: string; endpointId: string }> }) {
  const { org: orgName, endpointId } = await params;
  const { access } = await requireOrg(orgName);
  const org = access.org.name;
  const crumbs = [
    { label: org, href: `/${org}` },
    { label: 'Settings' },
    { label: 'Webhooks', href: `/${org}/settings/webhooks`, separator: '›' as const },
    { label: 'Endpoint', separator: '›' as const },
  ];
  const manager = grantIf(access, 'webhook:manage');
  if (!manager) {
    return (
      <main className="space-y-4">
        <Breadcrumbs items={crumbs} />
        <h1 className="text-2xl font-semibold">Webhook endpoint</h1>
        <p className="text-sm text-slate-700">{REFUSALS['webhook:manage']}</p>
      </main>
    );
  }
  const endpoint = await findWebhookEndpoint(manager, endpointId);
  if (!endpoint) notFound();
  const now = new Date();
  return (
    <main className="space-y-6">
      <Breadcrumbs items={crumbs} />
      <div>
        <h1 className="text-2xl font-semibold">Webhook endpoint</h1>
        <p className="mt-1 font-mono text-sm break-all text-slate-800">{endpoint.url}</p>
        {endpoint.description ? <p className="mt-1 text-sm text-slate-700">{endpoint.description}</p> : null}
      </div>
      <Card id="endpoint-heading" title="Endpoint" className="max-w-3xl">
        <dl className="grid gap-x-4 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="font-medium text-slate-800">Status</dt>
          <dd>
            <EndpointStatus endpoint={endpoint} now={now} />
          </dd>
          <dt className="font-medium text-slate-800">Events</dt>
          <dd className="font-mono text-xs">{endpoint.events.join(', ')}</dd>
          <dt className="font-medium text-slate-800">Created</dt>
          <dd>
            <RelativeTime date={endpoint.createdAt} now={now} />
            {endpoint.createdBy ? ` by ${endpoint.createdBy.name}` : ''}
          </dd>
        </dl>
        <div className="flex flex-wrap gap-2">
          <SendTestButton org={org} endpointId={endpoint.id} disabled={!endpoint.enabled} />
          <EnableButton org={org} endpointId={endpoint.id} enabled={endpoint.enabled} />
        </div>
      </Card>
      <Card
        id="signing-secret-heading"
        title="Signing secret"
        className="max-w-3xl"
        intro="Receivers verify each delivery's webhook-signature header with it. Rotating it makes the old secret verify nothing from now on, retries included."
      >
        <RotateSecretButton org={org} endpointId={endpoint.id} />
      </Card>
      <section aria-labelledby="deliveries-heading" className="space-y-3">
        <h2 id="deliveries-heading" className="text-lg font-semibold">
          Delivery log
        </h2>
        <p className="text-sm text-slate-700">
          Every attempt, newest first (the latest {DELIVERY_LOG_PAGE}). Deliveries are sent by a background worker within seconds.
        </p>
        {endpoint.deliveries.length === 0 ? (
          <p className="text-sm text-slate-700">No deliveries yet.</p>
        ) : (
          <DataTable label="Delivery log" headings={['Event', 'Attempt', 'Status', 'Duration', 'Response', 'Time', 'Actions']}>
            {endpoint.deliveries.map((delivery) => (
              <tr key={delivery.id} className="border-t border-slate-200 align-top">
                <th scope="row" className="px-3 py-2 font-medium">
                  <span className="font-mono text-xs">{delivery.eventType}</span>
                  <span className="block font-mono text-xs font-normal text-slate-600">{delivery.eventId}</span>
                </th>
                <td className="px-3 py-2">{delivery.attempt}</td>
                <td className={`px-3 py-2 ${delivery.statusCode !== null && delivery.statusCode < 300 ? '' : 'text-red-700'}`}>
                  {delivery.statusCode ?? 'No answer'}
                  {delivery.error ? <span className="block text-xs">{delivery.error}</span> : null}
                </td>
                <td className="px-3 py-2">{delivery.durationMs} ms</td>
                <td className="max-w-xs px-3 py-2 font-mono text-xs break-all">{delivery.responseExcerpt || '—'}</td>
                <td className="px-3 py-2">
                  <RelativeTime date={delivery.createdAt} now={now} />
                </td>
                <td className="px-3 py-2">
                  <ResendButton
                    org={org}
                    deliveryId={delivery.id}
                    label={`Resend ${delivery.eventType} attempt ${delivery.attempt}`}
                    disabled={!endpoint.enabled}
                  />
                </td>
              </tr>
            ))}
          </DataTable>
        )}
      </section>
      <Card id="danger-heading" title="Delete endpoint" danger className="max-w-3xl" intro="It receives nothing more, and its delivery log is deleted with it.">
        <DeleteEndpointButton org={org} endpointId={endpoint.id} url={endpoint.url} />
      </Card>
    </main>
  );
}
