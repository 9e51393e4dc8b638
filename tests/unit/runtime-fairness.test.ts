import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { runtimeConfig, runtimeThreadPoolSize } from '@/lib/runtime/config';
import { scrubMessage } from '@/lib/runtime/engine';

// The scheduler itself (fair sharing of the query slots) is tests/unit/runtime-scheduler.test.ts.

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
      concurrency: { slots: 6, queuedPerOrg: 64, queuedBytesPerOrg: 4 * 1024 * 1024 },
      duckdb: { threads: 1, memoryLimit: '256MB', tempLimit: '1GiB' },
    });
    // The slots, the newcomers' burst (half the slots) and 4 more.
    expect(runtimeThreadPoolSize({})).toBe(13);
    expect(runtimeThreadPoolSize({ RUNTIME_MAX_CONCURRENT_QUERIES: '12' })).toBe(22);
    // Each thread's stack counts against an engine worker's memory limit.
    expect(runtimeThreadPoolSize({ RUNTIME_MAX_CONCURRENT_QUERIES: '64' })).toBe(32);
  });

  it('names a bad limit', () => {
    expect(() => runtimeConfig({ RUNTIME_DUCKDB_TEMP_LIMIT: 'plenty' })).toThrow(/RUNTIME_DUCKDB_TEMP_LIMIT: must look like 1GiB/);
    expect(() => runtimeConfig({ RUNTIME_MAX_CONCURRENT_QUERIES: '0' })).toThrow(/RUNTIME_MAX_CONCURRENT_QUERIES/);
    expect(() => runtimeConfig({ RUNTIME_MAX_QUEUED_QUERIES_PER_ORG: '-1' })).toThrow(/RUNTIME_MAX_QUEUED_QUERIES_PER_ORG/);
    expect(() => runtimeConfig({ RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG: 'lots' })).toThrow(/RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG/);
  });
});
