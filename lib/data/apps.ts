import 'server-only';
import type { OrgAccess } from '../auth/access';
import type { KeyViewAccess } from '../auth/permissions';
import { db } from '../db';
import { DAY_MS } from '../shared/time';
import { revealApiKey, API_KEY_SLOTS, type ApiKeySlot } from './api-keys';

/** The organization's apps, oldest first. */
export async function listApps(access: OrgAccess) {
  return db.app.findMany({
    where: { orgId: access.org.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, description: true, createdAt: true },
  });
}

/** What the General page shows of a key: serializable, for client components. */
export type ApiKeyView = {
  slot: ApiKeySlot;
  key: string;
  /** When the key was created or last regenerated (ISO). */
  createdAt: string;
  createdBy: string | null;
  createdViaToken: string | null;
  regenerated: boolean;
  /** When the runtime last accepted it (ISO), or null. */
  lastUsedAt: string | null;
  /** Requests the runtime accepted with it in the last 24 hours. */
  requests24h: number;
};

/** Both keys of an app, or one of them, decrypted for the General page, with their use. */
export async function getApiKeysForDisplay(access: KeyViewAccess, slots: readonly ApiKeySlot[] = API_KEY_SLOTS): Promise<ApiKeyView[]> {
  const appId = access.app.id;
  const [rows, regenerations, usage] = await Promise.all([
    db.apiKey.findMany({
      where: { appId, slot: { in: [...slots] } },
      orderBy: { slot: 'asc' },
      select: { id: true, slot: true, ciphertext: true, createdAt: true, lastUsedAt: true, createdBy: { select: { name: true } }, createdViaToken: { select: { name: true } } },
    }),
    db.auditEvent.groupBy({ by: ['slot'], where: { appId, action: 'api_key.regenerated', slot: { in: [...slots] } }, _count: true }),
    // In the same round trip as the keys: their usage, found through the key's app and slot.
    db.apiKeyUsage.groupBy({
      by: ['keyId'],
      where: { key: { appId, slot: { in: [...slots] } }, minute: { gte: new Date(Date.now() - DAY_MS) } },
      _sum: { count: true },
    }),
  ]);
  return slots.map((slot) => {
    const row = rows.find((r) => r.slot === slot);
    if (!row) throw new Error(`App ${appId} has no key in slot ${slot}`);
    return {
      slot,
      key: revealApiKey(access, row),
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy?.name ?? null,
      createdViaToken: row.createdViaToken?.name ?? null,
      regenerated: regenerations.some((r) => r.slot === slot),
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      requests24h: usage.find((u) => u.keyId === row.id)?._sum.count ?? 0,
    };
  });
}
