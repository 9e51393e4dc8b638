import type { Db, DbTx } from '../prisma';
import { digestSecret, digestsEqual, lookupDigest } from '../shared/keys/digest';
import { generatePersonalAccessToken, isWellFormedPersonalAccessToken } from '../shared/keys/format';
import { parseScopes, type TokenScope } from './scopes';

/** How often a token's "last used" time is written, at most. */
const LAST_USED_INTERVAL_MS = 60_000;

export type TokenContext = {
  tokenId: string;
  tokenName: string;
  userId: string;
  /** The organization the token is limited to, or null for all of the user's organizations. */
  orgId: string | null;
  scopes: string[];
};

/**
 * Creates a token and returns it with its record. The token itself is returned once, here; only
 * its keyed digest and last four characters are stored.
 */
export async function createPersonalAccessToken(
  db: Db | DbTx,
  secret: Buffer,
  input: { userId: string; orgId: string | null; name: string; scopes: TokenScope[]; expiresAt: Date | null },
) {
  const token = generatePersonalAccessToken();
  const record = await db.personalAccessToken.create({
    data: {
      userId: input.userId,
      orgId: input.orgId,
      name: input.name,
      scopes: [...new Set(input.scopes)].join(' '),
      digest: digestSecret(token, secret),
      lastFour: token.slice(-4),
      expiresAt: input.expiresAt,
    },
    select: { id: true, name: true },
  });
  return { token, record };
}

/**
 * The token's context when `presented` is a current token: well-formed, known, not revoked, not
 * expired; `'expired'` for a known token past its expiry (the API answers 410, as Spice does);
 * null for anything else. Malformed tokens never reach the database; digests are compared in
 * constant time.
 */
export async function authenticatePersonalAccessToken(db: Db, secret: Buffer, presented: string, now = new Date()): Promise<TokenContext | 'expired' | null> {
  const digest = lookupDigest(presented, secret, isWellFormedPersonalAccessToken);
  if (!digest) return null;
  const row = await db.personalAccessToken.findUnique({
    where: { digest },
    select: { id: true, name: true, userId: true, orgId: true, scopes: true, digest: true, expiresAt: true, revokedAt: true, lastUsedAt: true },
  });
  if (!row || !digestsEqual(row.digest, digest)) return null;
  if (row.revokedAt) return null;
  if (row.expiresAt && row.expiresAt <= now) return 'expired';
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() >= LAST_USED_INTERVAL_MS) {
    await db.personalAccessToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { tokenId: row.id, tokenName: row.name, userId: row.userId, orgId: row.orgId, scopes: parseScopes(row.scopes) };
}
