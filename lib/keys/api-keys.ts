import { randomUUID } from 'node:crypto';
import type { Db, DbTx } from '../prisma';
import { decryptSecret, encryptSecret, type KeySecrets } from './crypto';
import { digestSecret, digestsEqual, lookupDigest } from './digest';
import { generateApiKey } from './format';

/** Every app has exactly these two key slots. */
export const API_KEY_SLOTS = [1, 2] as const;
export type ApiKeySlot = (typeof API_KEY_SLOTS)[number];

/** Where a change came from, for the audit trail: the user, and the token when through the API. */
export type ChangeOrigin = { actorId: string; tokenId?: string | null; ip?: string | null; userAgent?: string | null };

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

/**
 * Replaces the keys in the given slots (one, or both at once). One transaction: each slot's new
 * ciphertext and digest, and an audit event per slot. The old keys stop verifying the moment it
 * commits; if anything fails, nothing changes. The portal's action and the management API both
 * call this.
 */
export async function regenerateApiKeys(
  db: Db,
  secrets: KeySecrets,
  input: { orgId: string; appId: number; slots: readonly ApiKeySlot[]; origin: ChangeOrigin },
): Promise<Map<ApiKeySlot, { key: string; createdAt: Date }>> {
  const rows = await db.apiKey.findMany({
    where: { appId: input.appId, slot: { in: [...input.slots] } },
    select: { id: true, slot: true },
  });
  const createdAt = new Date();
  const issued = new Map<ApiKeySlot, { key: string; createdAt: Date }>();
  const writes = input.slots.flatMap((slot) => {
    const row = rows.find((r) => r.slot === slot);
    if (!row) throw new Error(`App ${input.appId} has no key in slot ${slot}`);
    const material = newKeyMaterial(row.id, secrets);
    issued.set(slot, { key: material.key, createdAt });
    return [
      db.apiKey.update({
        where: { id: row.id },
        data: {
          ciphertext: material.ciphertext,
          digest: material.digest,
          createdAt,
          createdById: input.origin.actorId,
          createdViaTokenId: input.origin.tokenId ?? null,
          lastUsedAt: null,
        },
      }),
      db.auditEvent.create({
        data: {
          orgId: input.orgId,
          appId: input.appId,
          slot,
          action: 'api_key.regenerated',
          actorId: input.origin.actorId,
          tokenId: input.origin.tokenId ?? null,
          ip: input.origin.ip ?? null,
          userAgent: input.origin.userAgent?.slice(0, 300) ?? null,
          createdAt,
        },
      }),
    ];
  });
  await db.$transaction(writes);
  return issued;
}

/** Decrypts a stored key for display. */
export function revealApiKey(row: { id: string; ciphertext: string }, secrets: KeySecrets): string {
  return decryptSecret(row.ciphertext, row.id, secrets.encryptionKey);
}

export type VerifiedKey = { appId: number; orgId: string; slot: ApiKeySlot };

/**
 * The app and slot a presented key belongs to, or null. A malformed key or a bad checksum is
 * rejected before any database access; the digests are compared in constant time.
 */
export async function verifyApiKey(db: Db, secrets: KeySecrets, presented: string): Promise<VerifiedKey | null> {
  const digest = lookupDigest(presented, secrets.digestSecret);
  if (!digest) return null;
  const row = await db.apiKey.findUnique({
    where: { digest },
    select: { digest: true, slot: true, appId: true, app: { select: { orgId: true } } },
  });
  if (!row || !digestsEqual(row.digest, digest)) return null;
  return { appId: row.appId, orgId: row.app.orgId, slot: row.slot as ApiKeySlot };
}

/**
 * Refuses to run with secrets that do not match the stored keys (a missing, wrong or rotated
 * secret). Checks one key: it must decrypt, and its digest must match. Never re-keys.
 */
export async function assertSecretsMatchKeys(db: Db, secrets: KeySecrets): Promise<void> {
  const sample = await db.apiKey.findFirst({ select: { id: true, ciphertext: true, digest: true } });
  if (!sample) return;
  let plaintext: string;
  try {
    plaintext = decryptSecret(sample.ciphertext, sample.id, secrets.encryptionKey);
  } catch {
    throw new SecretsMismatchError('KEY_ENCRYPTION_KEY');
  }
  if (!digestsEqual(sample.digest, digestSecret(plaintext, secrets.digestSecret))) {
    throw new SecretsMismatchError('KEY_DIGEST_SECRET');
  }
}

export class SecretsMismatchError extends Error {
  constructor(readonly secret: 'KEY_ENCRYPTION_KEY' | 'KEY_DIGEST_SECRET') {
    super(
      `${secret} does not match the API keys stored in the database. Restore the secret the keys were ` +
        `made with (the environment, or data/secrets.json on the embedded database). ` +
        `The server will not start, and it never re-keys existing keys on its own.`,
    );
    this.name = 'SecretsMismatchError';
  }
}
