import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { runtimeConfig, runtimeThreadPoolSize } from '@/lib/runtime/config';
import { scrubMessage } from '@/lib/runtime/engine';
import { QuerySlots } from '@/lib/runtime/query-slots';

const later = (ms: number) => Date.now() + ms;
/**
 * Whether the promise settles without waiting for a timer: the slots are plain promises, so once
 * the event loop has run what was already queued (setImmediate), anything due now has happened.
 */
const settled = async (promise: Promise<unknown>) => {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('fair sharing of query slots', () => {
  it('runs N per app, queues M, turns the rest away with a retry hint, and leaves other apps alone', async () => {
    const slots = new QuerySlots({ perApp: 2, queuedPerApp: 1, total: 10 });
    const first = await slots.acquire(1, later(5000), 'late');
    await slots.acquire(1, later(5000), 'late');
    const waiting = slots.acquire(1, later(5000), 'late');
    expect(await settled(waiting)).toBe(false);
    const refused = slots.acquire(1, later(5000), 'late');
    await expect(refused).rejects.toMatchObject({ code: 'queue_full' });
    await expect(refused).rejects.toMatchObject({ options: { retryAfter: 1 } });
    // Another app is not held up by app 1.
    expect(await settled(slots.acquire(2, later(5000), 'late'))).toBe(true);
    first();
    expect(await settled(waiting)).toBe(true);
  });

  it('bounds the whole process, across apps', async () => {
    const slots = new QuerySlots({ perApp: 2, queuedPerApp: 4, total: 2 });
    await slots.acquire(1, later(5000), 'late');
    const release = await slots.acquire(2, later(5000), 'late');
    const third = slots.acquire(3, later(5000), 'late');
    expect(await settled(third)).toBe(false);
    release();
    expect(await settled(third)).toBe(true);
  });

  it('counts waiting against the time limit, and lets a client that went away leave the queue', async () => {
    const slots = new QuerySlots({ perApp: 1, queuedPerApp: 4, total: 10 });
    await slots.acquire(1, later(5000), 'late');
    await expect(slots.acquire(1, later(30), 'waited too long')).rejects.toMatchObject({ code: 'timeout', message: 'waited too long' });
    const gone = new AbortController();
    const leaving = slots.acquire(1, later(5000), 'late', gone.signal);
    gone.abort();
    await expect(leaving).rejects.toMatchObject({ code: 'cancelled' });
    // Neither left a place taken in the queue: four can still wait.
    const queued = [1, 2, 3, 4].map(() => slots.acquire(1, later(5000), 'late'));
    await expect(slots.acquire(1, later(5000), 'late')).rejects.toMatchObject({ code: 'queue_full' });
    expect(await settled(Promise.race(queued))).toBe(false);
  });
});

it('scrubs server paths, the user name and catalogue hints from DuckDB messages', () => {
  const user = os.userInfo().username;
  const message =
    `IO Error: Cannot open file "/srv/portal/data/runtime/app-7.duckdb" for ${user}: Permission denied. ` +
    `Did you mean "system.main.duckdb_settings"?\n\nPossible solutions:\n* SET memory_limit='...GB'`;
  const scrubbed = scrubMessage(message);
  expect(scrubbed).toBe('IO Error: Cannot open file "<path>" for <user>: Permission denied.');
});

describe('runtime limits', () => {
  it('defaults to the documented limits', () => {
    expect(runtimeConfig({})).toMatchObject({
      maxRows: 500,
      maxResultBytes: 16 * 1024 * 1024,
      concurrency: { perApp: 2, queuedPerApp: 4, total: 6 },
      duckdb: { threads: 1, memoryLimit: '256MB', tempLimit: '1GiB' },
    });
    expect(runtimeThreadPoolSize({})).toBe(10);
    expect(runtimeThreadPoolSize({ RUNTIME_MAX_CONCURRENT_QUERIES: '12' })).toBe(16);
  });

  it('names a bad limit', () => {
    expect(() => runtimeConfig({ RUNTIME_DUCKDB_TEMP_LIMIT: 'plenty' })).toThrow(/RUNTIME_DUCKDB_TEMP_LIMIT: must look like 1GiB/);
    expect(() => runtimeConfig({ RUNTIME_MAX_CONCURRENT_QUERIES_PER_APP: '0' })).toThrow(/RUNTIME_MAX_CONCURRENT_QUERIES_PER_APP/);
  });
});
