import { describe, expect, it, vi } from 'vitest';
import { runtimePublicUrl } from '@/lib/env';
import { runtimeConfig } from '@/lib/runtime/config';
import { FailureLimiter } from '@/lib/shared/http/failure-limiter';
import { KeyUsageRecorder } from '@/lib/runtime/key-usage';
import type { KeyUse } from '@/lib/runtime/key-store';
import { toJsonValue } from '@/lib/runtime/results';

describe('JSON mapping of query results', () => {
  it('keeps integers exact: numbers up to 2^53, strings beyond', () => {
    expect(toJsonValue(9007199254740991n)).toBe(9007199254740991);
    expect(toJsonValue(9007199254740992n)).toBe('9007199254740992');
    expect(toJsonValue(-9007199254740993n)).toBe('-9007199254740993');
    expect(toJsonValue(42n)).toBe(42);
  });

  it('writes dates as ISO strings, blobs as base64, and maps nested values', () => {
    expect(toJsonValue(new Date('2024-01-01T10:00:00Z'))).toBe('2024-01-01T10:00:00.000Z');
    expect(toJsonValue(new Uint8Array([1, 2, 3]))).toBe('AQID');
    expect(toJsonValue([1n, { a: 2n ** 60n }])).toEqual([1, { a: '1152921504606846976' }]);
    expect(toJsonValue(Number.NaN)).toBe('NaN');
  });
});

describe('failed-authentication limiter', () => {
  it('blocks an address after the limit within a minute, says for how long, and forgets after the window', () => {
    const limiter = new FailureLimiter(3);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('a', 1000)).toBe(0);
      limiter.recordFailure('a', 1000);
    }
    expect(limiter.retryAfter('a', 1000)).toBe(60);
    expect(limiter.retryAfter('a', 31_000)).toBe(30);
    expect(limiter.retryAfter('b', 31_000)).toBe(0);
    expect(limiter.retryAfter('a', 61_000)).toBe(0);
  });

  it('stays bounded under failures from more addresses than it tracks, keeping the newest', () => {
    const limiter = new FailureLimiter(1);
    for (let i = 0; i < 300_000; i++) limiter.recordFailure(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`, 1000);
    // 300,000 new addresses in one window (none expired): it keeps at most 100,000.
    expect(limiter.tracked).toBeLessThanOrEqual(100_000);
    expect(limiter.retryAfter('10.4.147.223', 1000)).toBeGreaterThan(0); // the last address is still counted
    expect(limiter.retryAfter('10.0.0.0', 1000)).toBe(0); // the oldest were let go
  });

  it('is off at 0', () => {
    const limiter = new FailureLimiter(0);
    for (let i = 0; i < 100; i++) limiter.recordFailure('a', 0);
    expect(limiter.retryAfter('a', 0)).toBe(0);
  });
});

describe('key use', () => {
  const key = (id: string, digest = `d-${id}`) => ({ id, appId: 1, slot: 1, digest });
  const at = (iso: string) => new Date(`2026-11-26T${iso}Z`).getTime();

  it('writes the first use at once, then counts the rest and writes them once per interval', async () => {
    vi.useFakeTimers({ now: at('12:00:10') });
    const writes: KeyUse[] = [];
    const usage = new KeyUsageRecorder({ recordUse: async (use) => void writes.push(use) }, 60_000);
    usage.record(key('k1'), at('12:00:10'));
    expect(writes).toEqual([{ keyId: 'k1', digest: 'd-k1', lastUsedAt: new Date(at('12:00:10')), minute: new Date(at('12:00:00')), count: 1 }]);
    for (const second of ['20', '30', '40']) usage.record(key('k1'), at(`12:00:${second}`));
    usage.record(key('k1'), at('12:01:05'));
    expect(writes).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(60_000);
    // One write per minute the requests fell in, each with its count.
    expect(writes.slice(1).map((w) => [w.minute.toISOString(), w.count])).toEqual([
      ['2026-11-26T12:00:00.000Z', 3],
      ['2026-11-26T12:01:00.000Z', 1],
    ]);
    vi.useRealTimers();
  });

  it('never counts a replaced key for its successor', async () => {
    vi.useFakeTimers({ now: at('12:00:00') });
    const writes: KeyUse[] = [];
    const usage = new KeyUsageRecorder({ recordUse: async (use) => void writes.push(use) }, 60_000);
    usage.record(key('k1', 'old'), at('12:00:00'));
    usage.record(key('k1', 'old'), at('12:00:05'));
    usage.record(key('k1', 'new'), at('12:00:06'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(writes.map((w) => [w.digest, w.count])).toEqual([
      ['old', 1],
      ['new', 1],
    ]);
    vi.useRealTimers();
  });
});

describe('runtime configuration', () => {
  it('defaults to the Spice runtime port and limits', () => {
    const config = runtimeConfig({});
    expect(config).toMatchObject({ port: 8090, maxRows: 500, queryTimeoutMs: 30_000, maxBodyBytes: 1024 * 1024, authFailuresPerMinute: 20 });
    expect(runtimePublicUrl({})).toBe('http://localhost:8090');
    expect(runtimePublicUrl({ RUNTIME_PUBLIC_URL: 'https://data.example.com/' })).toBe('https://data.example.com');
  });

  it('names a bad setting', () => {
    expect(() => runtimeConfig({ RUNTIME_MAX_ROWS: 'many' })).toThrow(/RUNTIME_MAX_ROWS/);
    expect(() => runtimeConfig({ RUNTIME_DUCKDB_MEMORY_LIMIT: 'lots' })).toThrow(/RUNTIME_DUCKDB_MEMORY_LIMIT: must look like 256MB/);
  });
});

describe('client address behind a proxy', async () => {
  const { clientAddress, connectionClientAddress, lastForwardedFor, CLIENT_ADDRESS_HEADER } = await import('@/lib/shared/http/client-address');
  it('takes the entry the nearest proxy wrote, not what the client sent', () => {
    expect(lastForwardedFor('6.6.6.6, 203.0.113.9')).toBe('203.0.113.9');
    expect(lastForwardedFor(['6.6.6.6', '203.0.113.9'])).toBe('203.0.113.9');
    expect(lastForwardedFor(undefined)).toBeNull();
  });
  it('is the TCP peer unless the proxy is trusted', () => {
    expect(connectionClientAddress('::ffff:192.0.2.4', '6.6.6.6', false)).toBe('192.0.2.4');
    expect(connectionClientAddress('10.0.0.2', '6.6.6.6, 203.0.113.9', true)).toBe('203.0.113.9');
    expect(connectionClientAddress('10.0.0.2', undefined, true)).toBe('10.0.0.2');
    expect(connectionClientAddress(undefined, undefined, false)).toBe('unknown');
  });
  it('reads only the header the portal server sets, never X-Forwarded-For', () => {
    expect(clientAddress(new Headers({ [CLIENT_ADDRESS_HEADER]: '192.0.2.4', 'x-forwarded-for': '6.6.6.6' }))).toBe('192.0.2.4');
    expect(clientAddress(new Headers({ 'x-forwarded-for': '198.51.100.1' }))).toBe('unknown');
  });
});
