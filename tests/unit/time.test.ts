import { expect, it } from 'vitest';
import { timeAgo } from '@/lib/time';

it('says how long ago, in words', () => {
  const now = new Date('2026-11-26T12:00:00Z');
  const ago = (seconds: number) => timeAgo(new Date(now.getTime() - seconds * 1000), now);
  expect(ago(5)).toBe('just now');
  expect(ago(180)).toBe('3 minutes ago');
  expect(ago(3600)).toBe('1 hour ago');
  expect(ago(2 * 86400)).toBe('2 days ago');
});
