import 'server-only';
import type { AppAccess, OrgAccess } from '../auth/access';
import { db } from '../db';
import { serverEnv } from '../env';
import { revealApiKey, API_KEY_SLOTS, type ApiKeySlot } from '../keys/api-keys';

/** The organization's apps, oldest first. */
export async function listApps(access: OrgAccess) {
  return db.app.findMany({
    where: { orgId: access.org.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, description: true, createdAt: true },
  });
}

export type ApiKeyView = {
  slot: ApiKeySlot;
  key: string;
  createdAt: Date;
  createdBy: string | null;
  createdViaToken: string | null;
  regenerated: boolean;
  lastUsedAt: Date | null;
};

/** Both keys of an app, decrypted for the General page. */
export async function getApiKeysForDisplay(access: AppAccess): Promise<ApiKeyView[]> {
  const appId = access.app.id;
  const { keySecrets } = serverEnv();
  const [rows, regenerations] = await Promise.all([
    db.apiKey.findMany({
      where: { appId },
      orderBy: { slot: 'asc' },
      select: { id: true, slot: true, ciphertext: true, createdAt: true, lastUsedAt: true, createdBy: { select: { name: true } }, createdViaToken: { select: { name: true } } },
    }),
    db.auditEvent.groupBy({ by: ['slot'], where: { appId, action: 'api_key.regenerated' }, _count: true }),
  ]);
  return API_KEY_SLOTS.map((slot) => {
    const row = rows.find((r) => r.slot === slot);
    if (!row) throw new Error(`App ${appId} has no key in slot ${slot}`);
    return {
      slot,
      key: revealApiKey(row, keySecrets),
      createdAt: row.createdAt,
      createdBy: row.createdBy?.name ?? null,
      createdViaToken: row.createdViaToken?.name ?? null,
      regenerated: regenerations.some((r) => r.slot === slot),
      lastUsedAt: row.lastUsedAt,
    };
  });
}
