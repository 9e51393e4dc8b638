import { expect, it } from 'vitest';
import { exactTime, timeAgo } from '@/lib/shared/time';

it('says how long ago, in words, down to seconds', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const ago = (seconds: number) => timeAgo(new Date(now.getTime() - seconds * 1000), now);
  expect(ago(2)).toBe('just now');
  expect(ago(12)).toBe('12 seconds ago');
  expect(ago(180)).toBe('3 minutes ago');
  expect(ago(3600)).toBe('1 hour ago');
  expect(ago(2 * 86400)).toBe('2 days ago');
  expect(ago(-3 * 86400)).toBe('in 3 days');
});

it('gives the exact time in UTC for hovering', () => {
  expect(exactTime(new Date('2026-11-26T12:00:00Z'))).toBe('Nov 26, 2026, 12:00:00 PM UTC');
});
