/** An hour and a day, in milliseconds. */
export const HOUR_MS = 60 * 60 * 1000;
export const DAY_MS = 24 * HOUR_MS;

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const exact = new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeStyle: 'long', timeZone: 'UTC' });

/** "12 seconds ago", "3 minutes ago", "just now"; for a time ahead, "in 30 days". */
export function timeAgo(date: Date, now: Date = new Date()): string {
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (Math.abs(seconds) < 5) return 'just now';
  const sign = seconds > 0 ? -1 : 1;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(sign * Math.floor(Math.abs(seconds) / size), unit);
  }
  return 'just now';
}

/** The exact time, for hovering over a relative one: "Nov 26, 2026, 12:00:00 PM UTC". */
export function exactTime(date: Date): string {
  return exact.format(date);
}

/** One wording for something that never happened: "Never". */
export const NEVER = 'Never';
