import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { API_KEY_PREFIX } from './display';

/**
 * Secret formats, after GitHub's token formats: a fixed prefix + 30 base62 characters from a
 * CSPRNG (≈178 bits) + 6 base62 characters of CRC32 over the rest. The prefix lets secret
 * scanners recognise a leaked secret and tells the kinds apart; the checksum rejects a mistyped
 * or made-up one without touching the database.
 *   spk_…  app API keys (the runtime's X-API-Key)
 *   spt_…  personal access tokens (the management API's Bearer token)
 *   spi_…  invitation links (/invite/<token>)
 *   sps_…  OAuth client secrets (POST /api/oauth/token)
 *   spo_…  OAuth access tokens (the management API's Bearer token, issued to a client)
 * An OAuth client's id (spc_…) is public: the same shape, so that a mistyped one is refused
 * without a database lookup too.
 */
export const PERSONAL_ACCESS_TOKEN_PREFIX = 'spt_';
export const INVITATION_TOKEN_PREFIX = 'spi_';
export const OAUTH_CLIENT_ID_PREFIX = 'spc_';
export const OAUTH_CLIENT_SECRET_PREFIX = 'sps_';
export const OAUTH_ACCESS_TOKEN_PREFIX = 'spo_';
export const RANDOM_LENGTH = 30;
export const CHECKSUM_LENGTH = 6;
/** Every format has a 4-character prefix, so every secret has this length. */
export const SECRET_LENGTH = 4 + RANDOM_LENGTH + CHECKSUM_LENGTH;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_PATTERN = /^[0-9A-Za-z]+$/;

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
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

function generateSecret(prefix: string): string {
  const body = prefix + randomBase62(RANDOM_LENGTH);
  return body + base62Checksum(body);
}

/** True when the text has the format's prefix and shape and its checksum matches. Pure: no I/O. */
function isWellFormedSecret(presented: string, prefix: string): boolean {
  if (presented.length !== SECRET_LENGTH || !presented.startsWith(prefix) || !BODY_PATTERN.test(presented.slice(prefix.length))) {
    return false;
  }
  return base62Checksum(presented.slice(0, -CHECKSUM_LENGTH)) === presented.slice(-CHECKSUM_LENGTH);
}

export const generateApiKey = () => generateSecret(API_KEY_PREFIX);
export const isWellFormedApiKey = (presented: string) => isWellFormedSecret(presented, API_KEY_PREFIX);
export const generatePersonalAccessToken = () => generateSecret(PERSONAL_ACCESS_TOKEN_PREFIX);
export const isWellFormedPersonalAccessToken = (presented: string) => isWellFormedSecret(presented, PERSONAL_ACCESS_TOKEN_PREFIX);
export const generateInvitationToken = () => generateSecret(INVITATION_TOKEN_PREFIX);
export const isWellFormedInvitationToken = (presented: string) => isWellFormedSecret(presented, INVITATION_TOKEN_PREFIX);
export const generateOAuthClientId = () => generateSecret(OAUTH_CLIENT_ID_PREFIX);
export const isWellFormedOAuthClientId = (presented: string) => isWellFormedSecret(presented, OAUTH_CLIENT_ID_PREFIX);
export const generateOAuthClientSecret = () => generateSecret(OAUTH_CLIENT_SECRET_PREFIX);
export const isWellFormedOAuthClientSecret = (presented: string) => isWellFormedSecret(presented, OAUTH_CLIENT_SECRET_PREFIX);
export const generateOAuthAccessToken = () => generateSecret(OAUTH_ACCESS_TOKEN_PREFIX);
export const isWellFormedOAuthAccessToken = (presented: string) => isWellFormedSecret(presented, OAUTH_ACCESS_TOKEN_PREFIX);
