import type { Metadata } from 'next';
import { listOrgAccess } from '@/lib/auth/access';
import { requireUser } from '@/lib/auth/guards';
import { listTokens } from '@/lib/data/tokens';
import { DataTable } from '@/components/ui/data-table';
import { Card } from '@/components/ui/card';
import { RelativeTime } from '@/components/ui/relative-time';
import { NEVER_USED } from '@/components/keys/key-usage';
import { CreateTokenForm } from './create-token-form';
import { RevokeTokenButton } from './revoke-token-button';

export const metadata: Metadata = { title: 'Personal access tokens' };

type Token = Awaited<ReturnType<typeof listTokens>>[number];

const SCOPE_LABELS: Record<string, string> = { 'apps:read': 'apps:read', 'apps:write': 'apps:write', '*': '* (everything)' };

export default async function TokensPage() {
  const user = await requireUser();
  const [orgs, tokens] = await Promise.all([listOrgAccess(user.id), listTokens(user)]);
  const now = new Date();
  const isInactive = (token: Token) => token.revokedAt !== null || (token.expiresAt !== null && token.expiresAt <= now);
  const active = tokens.filter((token) => !isInactive(token));
  const inactive = tokens.filter(isInactive);
  return (
    <main className="mx-auto max-w-6xl space-y-6 px-6 py-6">
      <div>
        <h1 className="text-2xl font-semibold">Personal access tokens</h1>
        <p className="mt-1 text-sm text-slate-700">
          Tokens authenticate the management API (<code className="font-mono">Authorization: Bearer …</code>), for automation such as key rotation in CI. A
          token acts as you, within its organization and scopes.
        </p>
      </div>
      <Card id="create-token-heading" title="Create token" className="max-w-xl">
        <CreateTokenForm orgs={orgs.map((access) => access.org.name)} />
      </Card>
      <section aria-labelledby="tokens-heading" className="space-y-3">
        <h2 id="tokens-heading" className="text-lg font-semibold">
          Your tokens
        </h2>
        {active.length === 0 ? (
          <p className="text-sm text-slate-700">{tokens.length === 0 ? 'No tokens yet.' : 'No current tokens.'}</p>
        ) : (
          <TokenTable label="Your tokens table" tokens={active} now={now} />
        )}
        {inactive.length > 0 ? (
          <details className="rounded-lg border border-slate-200 bg-white p-3">
            <summary className="cursor-pointer text-sm font-medium text-slate-800">Revoked and expired tokens ({inactive.length})</summary>
            <p className="mt-2 text-sm text-slate-700">These no longer work. Their names stay taken, so that the activity log names one token each.</p>
            <div className="mt-3 text-slate-600">
              <TokenTable label="Revoked and expired tokens table" tokens={inactive} now={now} />
            </div>
          </details>
        ) : null}
      </section>
    </main>
  );
}

/** A table of tokens: the current ones with Revoke, or the revoked and expired ones with their status. */
function TokenTable({ label, tokens, now }: { label: string; tokens: Token[]; now: Date }) {
  return (
    <DataTable label={label} headings={['Name', 'Organization', 'Scopes', 'Created', 'Last used', 'Expires', 'Status']}>
      {tokens.map((token) => {
        const expired = token.expiresAt !== null && token.expiresAt <= now;
        return (
          <tr key={token.id} className="border-t border-slate-200">
            <th scope="row" className="px-3 py-2 font-medium">
              {token.name} <span className="font-mono text-xs font-normal text-slate-600">spt_…{token.lastFour}</span>
            </th>
            <td className="px-3 py-2">{token.org?.name ?? 'All organizations'}</td>
            <td className="px-3 py-2 font-mono text-xs">
              {token.scopes
                .split(' ')
                .map((s) => SCOPE_LABELS[s] ?? s)
                .join(', ')}
            </td>
            <td className="px-3 py-2">
              <RelativeTime date={token.createdAt} now={now} />
            </td>
            <td className="px-3 py-2">{token.lastUsedAt ? <RelativeTime date={token.lastUsedAt} now={now} /> : NEVER_USED}</td>
            <td className="px-3 py-2">{token.expiresAt ? <RelativeTime date={token.expiresAt} now={now} /> : 'No expiration'}</td>
            <td className="px-3 py-2">{token.revokedAt ? 'Revoked' : expired ? 'Expired' : <RevokeTokenButton tokenId={token.id} name={token.name} />}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}
