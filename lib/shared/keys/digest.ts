import { createHmac, timingSafeEqual } from 'node:crypto';
import { isWellFormedApiKey } from './format';

/**
 * The lookup digest of keys and tokens: pure, no I/O. App keys (portal and runtime) and personal
 * access tokens (management API) are all stored as this digest with a unique index.
 */

/** Keyed digest used to look a secret up: HMAC-SHA256, hex. */
export function digestSecret(value: string, secret: Buffer): string {
  return createHmac('sha256', secret).update(value, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/**
 * The digest to look a presented secret up by, or null when it is malformed or its checksum is
 * wrong. Every verifier (the runtime's for app keys, the management API's for tokens, with its
 * own format check) starts here, looks the digest up by its unique index, and compares the
 * stored digest with digestsEqual.
 */
export function lookupDigest(presented: unknown, secret: Buffer, isWellFormed: (presented: string) => boolean = isWellFormedApiKey): string | null {
  if (typeof presented !== 'string' || !isWellFormed(presented)) return null;
  return digestSecret(presented, secret);
}
