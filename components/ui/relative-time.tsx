import { exactTime, timeAgo } from '@/lib/shared/time';

/** A relative time ("3 minutes ago") with the exact time on hover and in the markup. */
export function RelativeTime({ date, now, prefix = '' }: { date: Date | string; now?: Date | number; prefix?: string }) {
  const at = typeof date === 'string' ? new Date(date) : date;
  return (
    <time dateTime={at.toISOString()} title={exactTime(at)}>
      {prefix}
      {timeAgo(at, now === undefined ? new Date() : new Date(now))}
    </time>
  );
}
