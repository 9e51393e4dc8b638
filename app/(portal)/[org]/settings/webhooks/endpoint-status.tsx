import { RelativeTime } from '@/components/ui/relative-time';

/** Enabled, failing since when, or disabled (by a person, or by the portal after 24 hours of failures). */
export function EndpointStatus({ endpoint, now }: { endpoint: { enabled: boolean; failingSince: Date | null; disabledReason: string | null }; now: Date }) {
  if (!endpoint.enabled) {
    return <span>{endpoint.disabledReason === 'failing' ? 'Disabled: deliveries failed for 24 hours' : 'Disabled'}</span>;
  }
  if (endpoint.failingSince) {
    return (
      <span className="text-red-700">
        Failing since <RelativeTime date={endpoint.failingSince} now={now} />
      </span>
    );
  }
  return <span>Enabled</span>;
}
