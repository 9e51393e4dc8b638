import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_KEY_PREFIX } from './display';

export { API_KEY_PREFIX, maskApiKey } from './display';

/**
 * App API key format, after GitHub's token formats:
 *   spk_ + 30 base62 characters from a CSPRNG (≈178 bits) + 6 base62 characters of CRC32.
 * The prefix lets secret scanners recognise a leaked key; the checksum rejects a mistyped or
 * made-up key without touching the database.
 */
export const API_KEY_RANDOM_LENGTH = 30;
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_LENGTH = API_KEY_PREFIX.length + API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const API_KEY_PATTERN = new RegExp(
  `^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH}}$`,
);

/** n base62 characters, uniformly distributed (rejection sampling, no modulo bias). */
export function randomBase62(n: number): string {
  let out = '';
  while (out.length < n) {
    for (const byte of randomBytes(n * 2)) {
      // 248 = 62 * 4: bytes at or above it would bias the result.
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === n) break;
    }
  }
  return out;
}

export function base62Checksum(body: string): string {
  let value = crc32(body);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export function generateApiKey(): string {
  const body = API_KEY_PREFIX + randomBase62(API_KEY_RANDOM_LENGTH);
  return body + base62Checksum(body);
}

/** True when the text has the key's shape and its checksum matches. Pure: no I/O. */
export function isWellFormedApiKey(presented: string): boolean {
  if (presented.length !== API_KEY_LENGTH || !API_KEY_PATTERN.test(presented)) return false;
  const body = presented.slice(0, -API_KEY_CHECKSUM_LENGTH);
  return base62Checksum(body) === presented.slice(-API_KEY_CHECKSUM_LENGTH);
}
