import { RelativeTime } from '@/components/ui/relative-time';
import type { ApiKeyView } from '@/lib/data/apps';

export const NEVER_USED = 'Never used';

/** Who made a key and how, after "Regenerated 2 minutes ago": " by Alice via token ci-rotate", " via OAuth client ci-rotate", or "". */
export function keyOrigin(view: Pick<ApiKeyView, 'createdBy' | 'createdViaToken' | 'createdViaOAuthClient'>): string {
  const by = view.createdBy ? ` by ${view.createdBy}` : '';
  const via = view.createdViaToken ? ` via token ${view.createdViaToken}` : view.createdViaOAuthClient ? ` via OAuth client ${view.createdViaOAuthClient}` : '';
  return `${by}${via}`;
}

/** "Last used 12 seconds ago · 1,204 requests in the last 24 hours", or "Never used". */
export function KeyUsage({ view, now }: { view: Pick<ApiKeyView, 'lastUsedAt' | 'requests24h'>; now?: number }) {
  if (!view.lastUsedAt) return <>{NEVER_USED}</>;
  const requests = view.requests24h;
  return (
    <>
      Last used <RelativeTime date={view.lastUsedAt} now={now} /> ·{' '}
      {requests > 0 ? `${requests.toLocaleString('en')} ${requests === 1 ? 'request' : 'requests'} in the last 24 hours` : 'Not used in the last 24 hours'}
    </>
  );
}
