import { auditRow, BY_THE_PORTAL } from '../audit';
import type { Prisma } from '../generated/prisma/client';
import type { Db } from '../prisma';
import type { KeySecrets } from '../shared/config';
import { decryptSecret, encryptSecret, idempotencyContext, totpSecretContext } from '../shared/keys/crypto';
import { digestSecret } from '../shared/keys/digest';
import { decryptSigningSecret, encryptSigningSecret } from '../webhooks/secret';

/**
 * `oauthClientsStopped`: OAuth clients whose secret a new digest secret stopped (their admins
 * regenerate it); `replays`: stored Idempotency-Key answers re-encrypted; `webhookSecrets`:
 * webhook signing secrets re-encrypted.
 */
export type RotationResult = { keys: number; tokensRevoked: number; totpSecrets: number; replays: number; oauthClientsStopped: number; webhookSecrets: number };

/**
 * Re-keys every stored app key from the current secrets to new ones, in one transaction: each
 * key is decrypted with the old encryption key, encrypted with the new one, and its lookup
 * digest recomputed with the new digest secret. The keys themselves do not change, so clients
 * keep working once every instance runs with the new secrets.
 *
 * Personal access tokens are stored as digests only, so a new digest secret cannot carry them
 * over: they are revoked (the owners create new ones), and only when `revokeTokens` says so,
 * each with a `token.revoked` audit event (by the portal, reason `rotate-secrets`) in the same
 * transaction. OAuth client secrets and access tokens are digests only too: the same flag lets the
 * rotation go on, the access tokens are deleted, and each client needs Regenerate secret.
 * Every instance must be stopped meanwhile (scripts/rotate-secrets.ts).
 * The authenticator-app secrets of two-factor authentication are re-encrypted in the same
 * transaction, and so are the webhook endpoints' signing secrets (they stay the same, so the
 * receivers keep verifying) and the management API's stored Idempotency-Key answers (encrypted:
 * a regeneration's holds keys; a retry after the rotation is still answered from them);
 * recovery codes are plain SHA-256 digests and need nothing.
 */
export async function rotateKeySecrets(
  db: Db,
  current: KeySecrets,
  next: KeySecrets,
  options: { revokeTokens: boolean },
): Promise<RotationResult> {
  const digestChanges = !current.digestSecret.equals(next.digestSecret);
  const tokens = digestChanges
    ? await db.personalAccessToken.findMany({ where: { revokedAt: null }, select: { id: true, orgId: true, userId: true } })
    : [];
  const activeTokens = tokens.length;
  const clients = digestChanges ? await db.oAuthClient.count({ where: { deletedAt: null } }) : 0;
  if (activeTokens + clients > 0 && !options.revokeTokens) {
    throw new Error(
      `${activeTokens} personal access token(s) are active and ${clients} OAuth client(s) exist. A new digest secret cannot carry them over ` +
        '(only their digests are stored): run again with --revoke-tokens to revoke the tokens and stop the clients’ secrets.',
    );
  }
  const rows = await db.apiKey.findMany({ select: { id: true, ciphertext: true } });
  const updates: Prisma.PrismaPromise<unknown>[] = rows.map((row) => {
    const key = decryptSecret(row.ciphertext, row.id, current.encryptionKey);
    return db.apiKey.update({
      where: { id: row.id },
      data: { ciphertext: encryptSecret(key, row.id, next.encryptionKey), digest: digestSecret(key, next.digestSecret) },
    });
  });
  const totpRows = await db.twoFactor.findMany({ select: { userId: true, ciphertext: true } });
  for (const row of totpRows) {
    const context = totpSecretContext(row.userId);
    const secret = decryptSecret(row.ciphertext, context, current.encryptionKey);
    updates.push(db.twoFactor.update({ where: { userId: row.userId }, data: { ciphertext: encryptSecret(secret, context, next.encryptionKey) } }));
  }
  const replayRows = await db.idempotentRequest.findMany({ where: { body: { not: null } }, select: { id: true, body: true } });
  for (const row of replayRows) {
    const context = idempotencyContext(row.id);
    const body = decryptSecret(row.body!, context, current.encryptionKey);
    updates.push(db.idempotentRequest.update({ where: { id: row.id }, data: { body: encryptSecret(body, context, next.encryptionKey) } }));
  }
  const endpoints = await db.webhookEndpoint.findMany({ select: { id: true, secretCiphertext: true } });
  for (const row of endpoints) {
    const secret = decryptSigningSecret(row.secretCiphertext, row.id, current.encryptionKey);
    updates.push(db.webhookEndpoint.update({ where: { id: row.id }, data: { secretCiphertext: encryptSigningSecret(secret, row.id, next.encryptionKey) } }));
  }
  const at = new Date();
  const revoke = [
    db.personalAccessToken.updateMany({ where: { id: { in: tokens.map((token) => token.id) }, revokedAt: null }, data: { revokedAt: at } }),
    ...tokens.map((token) =>
      auditRow(db, {
        action: 'token.revoked',
        orgId: token.orgId,
        subjectTokenId: token.id,
        subjectUserId: token.userId,
        details: { reason: 'rotate-secrets' },
        origin: BY_THE_PORTAL,
        at,
      }),
    ),
  ];
  if (digestChanges) revoke.push(db.oAuthAccessToken.deleteMany({}));
  await db.$transaction([...updates, ...revoke]);
  return {
    keys: rows.length,
    tokensRevoked: activeTokens,
    totpSecrets: totpRows.length,
    replays: replayRows.length,
    oauthClientsStopped: clients,
    webhookSecrets: endpoints.length,
  };
}
