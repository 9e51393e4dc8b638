import { randomUUID } from 'node:crypto';
import { recordAudit, type ChangeOrigin } from '../audit';
import { AppError } from '../shared/errors';
import { assertCan, parseRole } from '../auth/permissions';
import type { AppAccess } from '../auth/access';
import type { Db, DbTx } from '../prisma';
import { decryptSecret, encryptSecret, type KeySecrets } from '../shared/keys/crypto';
import { digestSecret } from '../shared/keys/digest';
import { generateApiKey } from '../shared/keys/format';
import { mismatchedSecret, type KeySecretName } from '../shared/keys/secrets-check';

/** Every app has exactly these two key slots. */
export const API_KEY_SLOTS = [1, 2] as const;
export type ApiKeySlot = (typeof API_KEY_SLOTS)[number];

type KeyMaterial = { id: string; key: string; ciphertext: string; digest: string };

function newKeyMaterial(id: string, secrets: KeySecrets): KeyMaterial {
  const key = generateApiKey();
  return { id, key, ciphertext: encryptSecret(key, id, secrets.encryptionKey), digest: digestSecret(key, secrets.digestSecret) };
}

/** Creates an app's two keys inside the transaction that creates the app. */
export async function createAppKeys(tx: DbTx, appId: number, actorId: string, secrets: KeySecrets): Promise<void> {
  for (const slot of API_KEY_SLOTS) {
    const material = newKeyMaterial(randomUUID(), secrets);
    await tx.apiKey.create({
      data: { id: material.id, appId, slot, ciphertext: material.ciphertext, digest: material.digest, createdById: actorId },
    });
  }
}

/** Both keys of an app as they stand, by slot. */
export type AppKeys = Record<ApiKeySlot, { key: string; createdAt: Date }>;

/**
 * Replaces the keys in the given slots (one, or both at once). One transaction: each slot's new
 * ciphertext and digest, an audit event per slot, and a read of both keys. The old keys stop
 * verifying the moment it commits; if anything fails, nothing changes. Answers both keys as this
 * transaction left them, so the caller never shows another caller's key as its own. The portal's
 * action and the management API both call this, after checking the permission; it is checked
 * again under the lock, against the caller's role as it is then.
 *
 * Regenerations of one app take turns on its row, and each takes its time once it has its turn,
 * later than the key it replaces: the order of the keys' times and of their audit events is the
 * order in which they were committed, so the latest event of a slot is always its current key's.
 */
export async function regenerateApiKeys(
  db: Db,
  secrets: KeySecrets,
  access: AppAccess,
  input: { slots: readonly ApiKeySlot[]; origin: ChangeOrigin },
): Promise<AppKeys> {
  const appId = access.app.id;
  const current = await db.$transaction(async (tx) => {
    // A no-op write first: SQLite's write lock, a row lock on PostgreSQL. None: the app was
    // deleted since its access was checked.
    const locked = await tx.$executeRaw`UPDATE "App" SET "name" = "name" WHERE "id" = ${appId}`;
    if (locked === 0) throw new AppError('not_found');
    // The caller's role as it is now: someone demoted or removed since the check does not regenerate.
    const membership = await tx.membership.findUnique({ where: { orgId_userId: { orgId: access.org.id, userId: access.userId } }, select: { role: true } });
    if (!membership) throw new AppError('not_found');
    assertCan({ role: parseRole(membership.role) }, 'key:regenerate');
    const rows = await tx.apiKey.findMany({ where: { appId, slot: { in: [...input.slots] } }, select: { id: true, slot: true, createdAt: true } });
    const previous = Math.max(0, ...rows.map((row) => row.createdAt.getTime()));
    const createdAt = new Date(Math.max(Date.now(), previous + 1));
    for (const slot of input.slots) {
      const row = rows.find((r) => r.slot === slot);
      if (!row) throw new AppError('not_found');
      const material = newKeyMaterial(row.id, secrets);
      await tx.apiKey.update({
        where: { id: row.id },
        data: {
          ciphertext: material.ciphertext,
          digest: material.digest,
          createdAt,
          createdById: input.origin.actorId,
          createdViaTokenId: input.origin.tokenId ?? null,
          lastUsedAt: null,
        },
        select: { id: true },
      });
      // Usage counts belong to the key they were made with.
      await tx.apiKeyUsage.deleteMany({ where: { keyId: row.id } });
      await recordAudit(tx, { action: 'api_key.regenerated', orgId: access.org.id, appId, slot, origin: input.origin, at: createdAt });
    }
    return tx.apiKey.findMany({ where: { appId }, select: { id: true, slot: true, ciphertext: true, createdAt: true } });
  });
  const keys = {} as AppKeys;
  for (const slot of API_KEY_SLOTS) {
    const row = current.find((r) => r.slot === slot);
    if (!row) throw new Error(`App ${appId} has no key in slot ${slot}`);
    keys[slot] = { key: revealApiKey(row, secrets), createdAt: row.createdAt };
  }
  return keys;
}

/** Decrypts a stored key for display. */
export function revealApiKey(row: { id: string; ciphertext: string }, secrets: KeySecrets): string {
  return decryptSecret(row.ciphertext, row.id, secrets.encryptionKey);
}

/**
 * Refuses to run with secrets that do not match the stored keys (a missing, wrong or rotated
 * secret). Checks one key: it must decrypt, and its digest must match. Never re-keys.
 */
export async function assertSecretsMatchKeys(db: Db, secrets: KeySecrets): Promise<void> {
  const sample = await db.apiKey.findFirst({ select: { id: true, ciphertext: true, digest: true } });
  const wrong = sample && mismatchedSecret(sample, secrets);
  if (wrong) throw new SecretsMismatchError(wrong);
}

export class SecretsMismatchError extends Error {
  constructor(readonly secret: KeySecretName) {
    super(
      `${secret} does not match the API keys stored in the database. Restore the secret the keys were ` +
        `made with (the environment, or data/secrets.json on the embedded database). ` +
        `The server will not start, and it never re-keys existing keys on its own.`,
    );
    this.name = 'SecretsMismatchError';
  }
}
