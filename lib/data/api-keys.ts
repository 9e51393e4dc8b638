import 'server-only';
import { randomUUID } from 'node:crypto';
import { recordAudit, type ChangeOrigin } from '../audit';
import type { AppAccess, OrgAccess } from '../auth/access';
import type { Granted } from '../auth/permissions';
import { serverEnv } from '../env';
import type { DbTx } from '../prisma';
import { AppError } from '../shared/errors';
import type { KeySecrets } from '../shared/config';
import { decryptSecret, encryptSecret } from '../shared/keys/crypto';
import { digestSecret } from '../shared/keys/digest';
import { generateApiKey } from '../shared/keys/format';
import { withAppLock } from './locks';
import { notify } from '../notifications/notify';

/** Every app has exactly these two key slots. */
export const API_KEY_SLOTS = [1, 2] as const;
export type ApiKeySlot = (typeof API_KEY_SLOTS)[number];

type KeyMaterial = { id: string; key: string; ciphertext: string; digest: string };

function newKeyMaterial(id: string, secrets: KeySecrets): KeyMaterial {
  const key = generateApiKey();
  return { id, key, ciphertext: encryptSecret(key, id, secrets.encryptionKey), digest: digestSecret(key, secrets.digestSecret) };
}

/** Creates an app's two keys inside the transaction that creates the app. */
export async function createAppKeys(tx: DbTx, appId: number, actorId: string | null, secrets: KeySecrets): Promise<void> {
  for (const slot of API_KEY_SLOTS) {
    const material = newKeyMaterial(randomUUID(), secrets);
    await tx.apiKey.create({
      data: { id: material.id, appId, slot, ciphertext: material.ciphertext, digest: material.digest, createdById: actorId },
    });
  }
}

/**
 * A stored key's plaintext, for a caller proven to hold `key:view` in the key's organization
 * (the caller's query is scoped to it): the only way the portal decrypts a key for display, so
 * a page or route that skips the check does not compile.
 */
export function revealApiKey(_proof: Granted<OrgAccess, 'key:view'>, row: { id: string; ciphertext: string }): string {
  return decryptSecret(row.ciphertext, row.id, serverEnv().keySecrets.encryptionKey);
}

/** Both keys of an app as they stand, by slot. */
export type AppKeys = Record<ApiKeySlot, { key: string; createdAt: Date }>;

/**
 * Replaces the keys in the given slots (one, or both at once). One transaction: each slot's new
 * ciphertext and digest, an audit event per slot, and a read of both keys. The old keys stop
 * verifying the moment it commits; if anything fails, nothing changes. Answers both keys as this
 * transaction left them, so the caller never shows another caller's key as its own. The portal's
 * action and the management API both call this; `key:regenerate` is checked under the app's
 * lock (lib/data/locks.ts), against the caller's role as it is then.
 *
 * Regenerations of one app take turns on its row, and each takes its time once it has its turn,
 * later than the key it replaces: the order of the keys' times and of their audit events is the
 * order in which they were committed, so the latest event of a slot is always its current key's.
 */
export async function regenerateApiKeys(access: AppAccess, input: { slots: readonly ApiKeySlot[]; origin: ChangeOrigin }): Promise<AppKeys> {
  const secrets = serverEnv().keySecrets;
  const appId = access.app.id;
  const current = await withAppLock(access, 'key:regenerate', async (tx) => {
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
          createdViaOAuthClientId: input.origin.oauthClientId ?? null,
          lastUsedAt: null,
        },
        select: { id: true },
      });
      // Usage counts belong to the key they were made with.
      await tx.apiKeyUsage.deleteMany({ where: { keyId: row.id } });
      await recordAudit(tx, { action: 'api_key.regenerated', orgId: access.org.id, appId, slot, origin: input.origin, at: createdAt });
    }
    // One notification for the regeneration, both slots at once included.
    await notify(tx, { kind: 'api_key.regenerated', orgId: access.org.id, origin: input.origin, facts: { app: access.app.name, slots: [...input.slots] } });
    return tx.apiKey.findMany({ where: { appId }, select: { id: true, slot: true, ciphertext: true, createdAt: true } });
  });
  const keys = {} as AppKeys;
  for (const slot of API_KEY_SLOTS) {
    const row = current.find((r) => r.slot === slot);
    if (!row) throw new Error(`App ${appId} has no key in slot ${slot}`);
    // Whoever may regenerate may see the keys (owners and admins): the new key is shown once.
    keys[slot] = { key: decryptSecret(row.ciphertext, row.id, secrets.encryptionKey), createdAt: row.createdAt };
  }
  return keys;
}
