import type { Metadata } from 'next';
import Link from 'next/link';
import { z } from 'zod';
import { buttonClass } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { RelativeTime } from '@/components/ui/relative-time';
import { Breadcrumbs } from '@/components/portal/breadcrumbs';
import { tokenRevokedWords } from '@/components/portal/activity-words';
import { orgPageMetadata, requireOrg } from '@/lib/auth/guards';
import { listActivity, type ActivityEntry } from '@/lib/data/activity';
import { listApps } from '@/lib/data/apps';
import { canonicalName } from '@/lib/names';

export async function generateMetadata({ params }: { params: Promise<{ org: string }> }): Promise<Metadata> {
  return orgPageMetadata((await params).org, 'Activity');
}

const searchSchema = z.object({
  app: z.string().max(64).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(10_000).catch(1).default(1),
});

/** What happened, in words. */
function describe(entry: ActivityEntry): string {
  switch (entry.action) {
    case 'app.created':
      return `Created app ${entry.app ?? '(deleted app)'}`;
    case 'app.renamed':
      return `Renamed app ${entry.details.previousName ?? '?'} to ${entry.details.name ?? '?'}${
        entry.details.reason === 'name-rules' ? ' to meet the app name rules (lowercase letters, digits and single hyphens, unique regardless of case)' : ''
      }`;
    case 'app.updated':
      return `Edited the description of ${entry.app ?? 'a deleted app'}`;
    case 'app.deleted':
      return `Deleted app ${entry.details.name ?? '(name unknown)'} and both of its API keys`;
    case 'org.created':
      return entry.details.personal ? 'Signed up; this is their personal organization' : `Created the organization`;
    case 'api_key.regenerated':
      return `Regenerated API Key ${entry.slot ?? '?'}${entry.app ? ` of ${entry.app}` : ''}`;
    case 'member.added':
      return entry.bySubject
        ? `Accepted the invitation and joined as ${entry.details.role ?? 'member'}`
        : `Added ${entry.subject ?? 'a former user'} as ${entry.details.role ?? 'member'}`;
    case 'member.role_changed':
      return `Changed ${entry.subject ?? 'a former user'} from ${entry.details.previousRole ?? '?'} to ${entry.details.role ?? '?'}`;
    case 'member.removed':
      return `Removed ${entry.subject ?? 'a former user'}`;
    case 'member.left':
      return `Left the organization (was ${entry.details.previousRole ?? 'a member'})`;
    case 'invitation.created':
      return `Invited ${entry.details.email ?? '?'} as ${entry.details.role ?? '?'}`;
    case 'invitation.resent':
      return `Sent a new invitation link to ${entry.details.email ?? '?'} (the old link stopped working)`;
    case 'invitation.revoked':
      return `Revoked the invitation to ${entry.details.email ?? '?'}`;
    case 'invitation.declined':
      return `Declined the invitation to join as ${entry.details.role ?? '?'}`;
    case 'token.created':
      return `Created personal access token ${entry.token ?? ''}`.trim();
    case 'token.revoked':
      return tokenRevokedWords(entry);
    case 'oauth_client.created':
      return `Created OAuth client ${entry.oauthClient ?? ''}`.trim();
    case 'oauth_client.secret_regenerated':
      return `Regenerated the secret of OAuth client ${entry.oauthClient ?? ''}; its previous secret and access tokens stopped working`;
    case 'oauth_client.deleted':
      return `Deleted OAuth client ${entry.oauthClient ?? ''} and revoked its access tokens`;
    case 'org.two_factor_policy_changed':
      return entry.details.requireTwoFactor ? 'Required two-factor authentication of every member' : 'Stopped requiring two-factor authentication';
    case 'webhook.created':
      return `Added the webhook endpoint ${entry.details.endpoint ?? ''}`.trim();
    case 'webhook.updated':
      if (entry.details.reason === 'failing') return `Disabled the webhook endpoint ${entry.details.endpoint ?? ''}: its deliveries failed for 24 hours`;
      return `${entry.details.enabled ? 'Enabled' : 'Disabled'} the webhook endpoint ${entry.details.endpoint ?? ''}`.trim();
    case 'webhook.deleted':
      return `Deleted the webhook endpoint ${entry.details.endpoint ?? ''}`.trim();
    case 'webhook.secret_rotated':
      return `Rotated the signing secret of the webhook endpoint ${entry.details.endpoint ?? ''}`.trim();
    default:
      return entry.action;
  }
}

export default async function ActivityPage({
  params,
  searchParams,
}: {
  params: Promise<{ org: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { access } = await requireOrg((await params).org);
  const search = searchSchema.parse(await searchParams);
  const apps = await listApps(access);
  const wanted = search.app ? canonicalName(search.app) : undefined;
  const app = wanted ? apps.find((a) => a.name === wanted) : undefined;
  const { entries, hasOlder } = await listActivity(access, { appId: app?.id ?? (search.app ? -1 : undefined), page: search.page });
  const now = new Date();
  const base = `/${access.org.name}/activity`;
  const pageLink = (page: number) => `${base}?${new URLSearchParams({ ...(app ? { app: app.name } : {}), page: String(page) })}`;
  return (
    <main className="space-y-4">
      <Breadcrumbs items={[{ label: access.org.name, href: `/${access.org.name}` }, { label: 'Activity' }]} />
      <h1 className="text-2xl font-semibold">Activity</h1>
      <p className="text-sm text-slate-700">
        Every key regeneration, app, membership, invitation, token and OAuth client change in {access.org.name}, newest first.
      </p>
      <form method="get" action={base} className="flex flex-wrap items-end gap-2">
        <div>
          <label htmlFor="activity-app" className="block text-sm font-medium text-slate-800">
            App
          </label>
          <select
            id="activity-app"
            name="app"
            defaultValue={app?.name ?? ''}
            className="mt-1 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:outline-2 focus:outline-indigo-600"
          >
            <option value="">All apps</option>
            {apps.map((a) => (
              <option key={a.id} value={a.name}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={buttonClass('secondary')}>
          Filter
        </button>
      </form>
      {entries.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white p-6 text-center text-sm text-slate-700">
          {search.page > 1 ? 'No older activity.' : 'No activity yet.'}
        </p>
      ) : (
        <DataTable label="Activity table" caption={`Activity${app ? ` for ${app.name}` : ''}`} headings={['When', 'Who', 'What', 'App', 'Address']}>
          {entries.map((entry) => (
            <tr key={entry.id} className="border-t border-slate-200 align-top">
              <td className="whitespace-nowrap px-3 py-2">
                <RelativeTime date={entry.createdAt} now={now} />
              </td>
              <td className="px-3 py-2">
                {entry.actor ?? (entry.viaOAuthClient ? 'No user' : entry.details.reason ? 'Spice Portal (automatic)' : 'A former user')}
                {entry.viaToken ? <span className="block text-xs text-slate-600">via token {entry.viaToken}</span> : null}
                {entry.viaOAuthClient ? <span className="block text-xs text-slate-600">via OAuth client {entry.viaOAuthClient}</span> : null}
              </td>
              <td className="px-3 py-2">{describe(entry)}</td>
              <td className="px-3 py-2">{entry.app ?? '—'}</td>
              <td className="px-3 py-2 font-mono text-xs">{entry.ip ?? '—'}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <nav aria-label="Activity pages" className="flex gap-2">
        {search.page > 1 ? (
          <Link className={buttonClass('secondary')} href={pageLink(search.page - 1)}>
            Newer
          </Link>
        ) : null}
        {hasOlder ? (
          <Link className={buttonClass('secondary')} href={pageLink(search.page + 1)}>
            Older
          </Link>
        ) : null}
      </nav>
    </main>
  );
}
