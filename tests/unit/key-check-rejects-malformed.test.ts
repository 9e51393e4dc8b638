// The runtime's key check rejects malformed keys and bad checksums before the key store is asked:
// the store here records every lookup, so a malformed key that reached it would show.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateApiKey } from '@/lib/shared/keys/format';
import { authenticateKey, type KeyStore } from '@/lib/runtime/key-store';

function recordingStore(): KeyStore & { lookups: string[] } {
  const lookups: string[] = [];
  return {
    lookups,
    findByDigest: async (digest) => {
      lookups.push(digest);
      return null;
    },
    sampleKey: async () => null,
    existingApps: async () => new Set(),
    currentDigests: async () => new Map(),
    recordUse: async () => undefined,
    close: async () => undefined,
  } as KeyStore & { lookups: string[] };
}

describe('the key check', () => {
  it('asks the store about a well-formed key', async () => {
    const store = recordingStore();
    expect(await authenticateKey(generateApiKey(), store, randomBytes(32))).toBeNull();
    expect(store.lookups).toHaveLength(1);
  });

  it('never asks the store about a malformed key or a bad checksum', async () => {
    const store = recordingStore();
    const good = generateApiKey();
    const badChecksum = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    for (const presented of ['', 'Bearer x', 'spk_short', badChecksum, good.slice(1), `${good} `, 'x'.repeat(10_000), undefined]) {
      expect(await authenticateKey(presented, store, randomBytes(32))).toBeNull();
    }
    expect(store.lookups).toEqual([]);
  });
});
