import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decryptSecret, encryptSecret } from '@/lib/shared/keys/crypto';
import { digestSecret, digestsEqual } from '@/lib/shared/keys/digest';
import { generateApiKey } from '@/lib/shared/keys/format';

const key = randomBytes(32);

describe('encryption of stored keys (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV each time', () => {
    const apiKey = generateApiKey();
    const a = encryptSecret(apiKey, 'row-1', key);
    const b = encryptSecret(apiKey, 'row-1', key);
    expect(a).not.toBe(b);
    expect(a).not.toContain(apiKey);
    expect(decryptSecret(a, 'row-1', key)).toBe(apiKey);
    expect(decryptSecret(b, 'row-1', key)).toBe(apiKey);
  });

  it('fails with the wrong key, another row, or a tampered ciphertext', () => {
    const sealed = encryptSecret(generateApiKey(), 'row-1', key);
    expect(() => decryptSecret(sealed, 'row-1', randomBytes(32))).toThrow();
    expect(() => decryptSecret(sealed, 'row-2', key)).toThrow();
    const raw = Buffer.from(sealed.slice(3), 'base64url');
    raw.writeUInt8(raw.readUInt8(raw.length - 1) ^ 1, raw.length - 1);
    expect(() => decryptSecret(`v1.${raw.toString('base64url')}`, 'row-1', key)).toThrow();
    expect(() => decryptSecret('v0.abc', 'row-1', key)).toThrow();
  });
});

describe('lookup digest (HMAC-SHA256)', () => {
  it('is stable for one secret and differs across secrets', () => {
    const apiKey = generateApiKey();
    const secret = randomBytes(32);
    expect(digestSecret(apiKey, secret)).toBe(digestSecret(apiKey, secret));
    expect(digestSecret(apiKey, secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestSecret(apiKey, randomBytes(32))).not.toBe(digestSecret(apiKey, secret));
  });

  it('compares equal digests only', () => {
    const secret = randomBytes(32);
    const a = digestSecret('a', secret);
    expect(digestsEqual(a, a)).toBe(true);
    expect(digestsEqual(a, digestSecret('b', secret))).toBe(false);
    expect(digestsEqual(a, a.slice(0, 10))).toBe(false);
    expect(digestsEqual('', '')).toBe(false);
  });
});
