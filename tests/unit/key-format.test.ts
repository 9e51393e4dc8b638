import { describe, expect, it } from 'vitest';
import { API_KEY_PREFIX, maskApiKey } from '@/lib/shared/keys/display';
import { base62Checksum, generateApiKey, isWellFormedApiKey, randomBase62 } from '@/lib/shared/keys/format';

describe('API key format', () => {
  it('has the prefix, 30 random base62 characters and a 6-character CRC32 checksum', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^spk_[0-9A-Za-z]{36}$/);
    expect(key).toHaveLength(40);
    expect(key.slice(-6)).toBe(base62Checksum(key.slice(0, -6)));
    expect(isWellFormedApiKey(key)).toBe(true);
  });

  it('never repeats and uses the whole alphabet', () => {
    const keys = new Set(Array.from({ length: 2000 }, generateApiKey));
    expect(keys.size).toBe(2000);
    const chars = new Set(randomBase62(20_000));
    expect(chars.size).toBe(62);
  });

  it('rejects a key with one character changed (checksum)', () => {
    const key = generateApiKey();
    const i = API_KEY_PREFIX.length + 5;
    const typo = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
    expect(isWellFormedApiKey(typo)).toBe(false);
  });

  it('rejects malformed keys', () => {
    const key = generateApiKey();
    for (const bad of ['', 'spk_', key.slice(0, -1), `${key}x`, key.replace('spk_', 'sk_x'), key.replace(/.$/, '-'), ` ${key.slice(1)}`, key.toUpperCase()]) {
      expect(isWellFormedApiKey(bad), bad).toBe(false);
    }
  });

  it('masks all but the prefix and the last four characters', () => {
    const key = generateApiKey();
    const masked = maskApiKey(key);
    expect(masked.startsWith('spk_')).toBe(true);
    expect(masked.endsWith(key.slice(-4))).toBe(true);
    expect(masked).not.toContain(key.slice(4, -4));
  });
});
