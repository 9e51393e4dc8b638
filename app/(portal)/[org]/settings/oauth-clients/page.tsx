import type { Metadata } from 'next';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { NEVER_USED } from '@/components/keys/key-usage';
import { Card } from '@/components/ui/card';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { grantIf, REFUSALS } from '@/lib/auth/permissions';
import { listOAuthClients } from '@/lib/data/oauth-clients';
import { CreateOAuthClientForm } from './create-oauth-client-form';
import { DeleteOAuthClientButton, RegenerateSecretButton } from './oauth-client-buttons';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'OAuth clients');
}

export default async function OAuthClientsPage({ params }: { params: Promise<{ org: string }> }) {
  const { access } = await requireOrg((await params).org);
  const org = access.org.name;
  const manage = grantIf(access, 'oauth_client:manage');
  const clients = manage ? await listOAuthClients(manage) : [];
  const now = new Date();
  return (
    <main className="space-y-4">
      <Breadcrumbs items={[{ label: org, href: `/${org}` }, { label: 'Settings' }, { label: 'OAuth clients', separator: '›' }]} />
      <h1 className="text-2xl font-semibold">OAuth clients</h1>
      <p className="max-w-3xl text-sm text-slate-700">
        An OAuth client is a machine, not a person: it trades its client id and secret at <code className="font-mono">POST /api/oauth/token</code> (client
        credentials grant) for an access token valid for an hour, and acts in {org} through the management API as an admin, limited by its scopes.
      </p>
      {manage ? (
        <>
          <Card id="create-oauth-client-heading" title="Create client" className="max-w-xl">
            <CreateOAuthClientForm org={org} />
          </Card>
          <section aria-labelledby="oauth-clients-heading" className="space-y-3">
            <h2 id="oauth-clients-heading" className="text-lg font-semibold">
              Clients of {org}
            </h2>
            {clients.length === 0 ? (
              <p className="text-sm text-slate-700">No OAuth clients yet.</p>
            ) : (
              <DataTable label="OAuth clients table" headings={['Name', 'Client id', 'Scopes', 'Created', 'Created by', 'Last used', 'Actions']}>
                {clients.map((client) => (
                  <tr key={client.id} className="border-t border-slate-200 align-top">
                    <th scope="row" className="px-3 py-2 font-medium">
                      {client.name}
                      {client.description ? <span className="block text-xs font-normal text-slate-600">{client.description}</span> : null}
                    </th>
                    <td className="px-3 py-2 font-mono text-xs break-all">{client.clientId}</td>
                    <td className="px-3 py-2 font-mono text-xs">{client.scopes.split(' ').join(', ')}</td>
                    <td className="px-3 py-2">
                      <RelativeTime date={client.createdAt} now={now} />
                    </td>
                    <td className="px-3 py-2">{client.createdBy?.name ?? 'A former user'}</td>
                    <td className="px-3 py-2">{client.lastUsedAt ? <RelativeTime date={client.lastUsedAt} now={now} /> : NEVER_USED}</td>
                    <td className="px-3 py-2">
                      <div className="flex flex-wrap gap-2">
                        <RegenerateSecretButton org={org} clientId={client.clientId} name={client.name} />
                        <DeleteOAuthClientButton org={org} clientId={client.clientId} name={client.name} />
                      </div>
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </>
      ) : (
        <p className="text-sm text-slate-700">{REFUSALS['oauth_client:manage']}</p>
      )}
    </main>
  );
}
