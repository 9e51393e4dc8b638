import type { Db, DbTx } from '../prisma';
import { digestSecret, digestsEqual, lookupDigest } from '../shared/keys/digest';
import {
  generateOAuthAccessToken,
  generateOAuthClientId,
  generateOAuthClientSecret,
  isWellFormedOAuthAccessToken,
  isWellFormedOAuthClientId,
  isWellFormedOAuthClientSecret,
} from '../shared/keys/format';
import { parseScopes, scopeGrants, TOKEN_SCOPES, type TokenScope } from './scopes';

/** How long an access token from POST /api/oauth/token is valid: an hour. */
export const OAUTH_ACCESS_TOKEN_TTL_SECONDS = 3600;
/** Expired access tokens are kept this long (answered as expired, not unknown), then deleted. */
const EXPIRED_KEPT_MS = 24 * 3600_000;
/** Access tokens a client holds at once: issuing one more ends its oldest. */
export const LIVE_TOKENS_PER_CLIENT = 100;
/** How often a client's "last used" time is written, at most. */
const LAST_USED_INTERVAL_MS = 60_000;

/** The management API's caller when a request came with an OAuth access token: a client, no user. */
export type OAuthClientContext = {
  oauthClientId: string;
  oauthClientName: string;
  userId: null;
  tokenId: null;
  /** A client always acts in its own organization only. */
  orgId: string;
  scopes: string[];
};

/** A new secret and the digest stored for it. The secret itself is shown once and never stored. */
function newSecret(digestKey: Buffer) {
  const secret = generateOAuthClientSecret();
  return { secret, digest: digestSecret(secret, digestKey) };
}

/** Creates a client; its id is public, its secret is returned once, here. */
export async function createOAuthClient(
  db: Db | DbTx,
  digestKey: Buffer,
  input: { orgId: string; name: string; description: string; scopes: TokenScope[]; createdById: string | null },
) {
  const { secret, digest } = newSecret(digestKey);
  const record = await db.oAuthClient.create({
    data: {
      orgId: input.orgId,
      name: input.name,
      description: input.description,
      scopes: [...new Set(input.scopes)].join(' '),
      clientId: generateOAuthClientId(),
      secretDigest: digest,
      createdById: input.createdById,
    },
    select: { id: true, name: true, clientId: true },
  });
  return { record, clientSecret: secret };
}

/**
 * Gives a current client a new secret and deletes every access token issued to it, in the
 * caller's transaction: the old secret and its tokens stop on the next request, on every
 * instance. Null when the client is gone.
 */
export async function regenerateOAuthClientSecret(tx: DbTx, digestKey: Buffer, client: { id: string; orgId: string }, now = new Date()) {
  const { secret, digest } = newSecret(digestKey);
  const updated = await tx.oAuthClient.updateMany({
    where: { id: client.id, orgId: client.orgId, deletedAt: null },
    data: { secretDigest: digest, secretRegeneratedAt: now },
  });
  if (updated.count === 0) return null;
  await tx.oAuthAccessToken.deleteMany({ where: { clientId: client.id } });
  return { clientSecret: secret };
}

/**
 * Deletes a current client in the caller's transaction: the row stays (its name reads in
 * Activity), its secret can never match again and its access tokens are deleted. False when it was gone.
 */
export async function deleteOAuthClient(tx: DbTx, client: { id: string; orgId: string }, now = new Date()): Promise<boolean> {
  const deleted = await tx.oAuthClient.updateMany({
    where: { id: client.id, orgId: client.orgId, deletedAt: null },
    // A fresh digest of nothing anyone holds: the unique column stays filled, no secret matches it.
    data: { deletedAt: now, secretDigest: `deleted:${client.id}` },
  });
  if (deleted.count === 0) return false;
  await tx.oAuthAccessToken.deleteMany({ where: { clientId: client.id } });
  return true;
}

export type ClientCredentialsResult =
  | { ok: true; accessToken: string; scopes: string[]; expiresIn: number; client: { id: string; orgId: string; name: string } }
  | { ok: false; error: 'invalid_client' | 'invalid_scope' };

/**
 * The scopes a client asks for: each one it holds (apps:write covers apps:read; * covers all),
 * or null when it asks for one it does not hold or that does not exist.
 */
export function requestedScopes(clientScopes: readonly string[], requested: string | undefined): string[] | null {
  if (requested === undefined) return [...clientScopes];
  const wanted = [...new Set(requested.split(' ').filter(Boolean))];
  if (wanted.length === 0) return null;
  for (const scope of wanted) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(scope)) return null;
    if (scope === '*' ? !clientScopes.includes('*') : !scopeGrants(clientScopes, scope as 'apps:read' | 'apps:write')) return null;
  }
  return wanted;
}

/**
 * The client credentials grant (RFC 6749 §4.4): a current client with its current secret gets an
 * access token for an hour, with its scopes or the fewer it asked for. A malformed id or secret
 * never reaches the database; digests are compared in constant time.
 */
export async function exchangeClientCredentials(
  db: Db,
  digestKey: Buffer,
  input: { clientId: string; clientSecret: string; scope?: string },
  now = new Date(),
): Promise<ClientCredentialsResult> {
  if (!isWellFormedOAuthClientId(input.clientId)) return { ok: false, error: 'invalid_client' };
  const digest = lookupDigest(input.clientSecret, digestKey, isWellFormedOAuthClientSecret);
  if (!digest) return { ok: false, error: 'invalid_client' };
  const client = await db.oAuthClient.findUnique({
    where: { clientId: input.clientId },
    select: { id: true, orgId: true, name: true, scopes: true, secretDigest: true, deletedAt: true },
  });
  if (!client || client.deletedAt || !digestsEqual(client.secretDigest, digest)) return { ok: false, error: 'invalid_client' };
  const scopes = requestedScopes(parseScopes(client.scopes), input.scope);
  if (!scopes) return { ok: false, error: 'invalid_scope' };
  const accessToken = generateOAuthAccessToken();
  const issued = await db.$transaction(async (tx) => {
    // Writes first, on the condition that the secret is still current: a Regenerate secret or a
    // Delete committing meanwhile (it deletes the client's tokens) leaves nothing to issue, so no
    // token from the old secret outlives it.
    const current = await tx.oAuthClient.updateMany({
      where: { id: client.id, secretDigest: client.secretDigest, deletedAt: null },
      data: { lastUsedAt: now },
    });
    if (current.count === 0) return false;
    await tx.oAuthAccessToken.deleteMany({ where: { clientId: client.id, expiresAt: { lt: new Date(now.getTime() - EXPIRED_KEPT_MS) } } });
    // A client that asks for a token per request keeps its newest ones only: the table stays bounded.
    const older = await tx.oAuthAccessToken.findMany({
      where: { clientId: client.id },
      orderBy: { createdAt: 'desc' },
      skip: LIVE_TOKENS_PER_CLIENT - 1,
      select: { id: true },
    });
    if (older.length > 0) await tx.oAuthAccessToken.deleteMany({ where: { id: { in: older.map((token) => token.id) } } });
    await tx.oAuthAccessToken.create({
      data: {
        clientId: client.id,
        digest: digestSecret(accessToken, digestKey),
        scopes: scopes.join(' '),
        expiresAt: new Date(now.getTime() + OAUTH_ACCESS_TOKEN_TTL_SECONDS * 1000),
      },
      select: { id: true },
    });
    return true;
  });
  if (!issued) return { ok: false, error: 'invalid_client' };
  return { ok: true, accessToken, scopes, expiresIn: OAUTH_ACCESS_TOKEN_TTL_SECONDS, client: { id: client.id, orgId: client.orgId, name: client.name } };
}

/**
 * The client's context when `presented` is a current OAuth access token (read from the database
 * on every request: a deleted client or a regenerated secret stops it at once), `'expired'` for
 * one that was valid and has expired, else null. Malformed tokens never reach the database.
 */
export async function authenticateOAuthAccessToken(
  db: Db,
  digestKey: Buffer,
  presented: string,
  now = new Date(),
): Promise<OAuthClientContext | 'expired' | null> {
  const digest = lookupDigest(presented, digestKey, isWellFormedOAuthAccessToken);
  if (!digest) return null;
  const row = await db.oAuthAccessToken.findUnique({
    where: { digest },
    select: { digest: true, scopes: true, expiresAt: true, client: { select: { id: true, name: true, orgId: true, deletedAt: true, lastUsedAt: true } } },
  });
  if (!row || !digestsEqual(row.digest, digest) || row.client.deletedAt) return null;
  if (row.expiresAt <= now) return 'expired';
  const { client } = row;
  if (!client.lastUsedAt || now.getTime() - client.lastUsedAt.getTime() >= LAST_USED_INTERVAL_MS) {
    await db.oAuthClient.update({ where: { id: client.id }, data: { lastUsedAt: now }, select: { id: true } });
  }
  return { oauthClientId: client.id, oauthClientName: client.name, userId: null, tokenId: null, orgId: client.orgId, scopes: parseScopes(row.scopes) };
}
