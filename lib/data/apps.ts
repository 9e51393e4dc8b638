import 'server-only';
import type { AppAccess, OrgAccess } from '../auth/access';
import type { KeyViewAccess } from '../auth/permissions';
import { db } from '../db';
import { DAY_MS, HOUR_MS } from '../shared/time';
import { AppError } from '../shared/errors';
import { revealApiKey, API_KEY_SLOTS, type ApiKeySlot } from './api-keys';

/** The organization's apps, oldest first. */
export async function listApps(access: OrgAccess) {
  return db.app.findMany({
    where: { orgId: access.org.id },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, description: true, createdAt: true },
  });
}

/** The app as it is now (`not_found` when it was deleted since its access was checked). */
export async function getApp(access: AppAccess) {
  const app = await db.app.findFirst({
    where: { id: access.app.id, orgId: access.org.id },
    select: { id: true, name: true, description: true, visibility: true, createdAt: true },
  });
  if (!app) throw new AppError('not_found');
  return app;
}

/** What the General page shows of a key but the key itself: who made it and how it is used. Serializable. */
export type ApiKeyUsageView = {
  slot: ApiKeySlot;
  /** When the key was created or last regenerated (ISO). */
  createdAt: string;
  createdBy: string | null;
  createdViaToken: string | null;
  /** The OAuth client that regenerated it (no user then). */
  createdViaOAuthClient: string | null;
  regenerated: boolean;
  /** When the runtime last accepted it (ISO), or null. */
  lastUsedAt: string | null;
  /** Requests the runtime accepted with it in the last hour, and in the last 24 hours (per-minute counts). */
  requests1h: number;
  requests24h: number;
};

/** What the General page shows of a key: serializable, for client components. */
export type ApiKeyView = ApiKeyUsageView & { key: string };

/** Both keys of an app, or one of them, decrypted for the General page, with their use. */
export async function getApiKeysForDisplay(access: KeyViewAccess, slots: readonly ApiKeySlot[] = API_KEY_SLOTS): Promise<ApiKeyView[]> {
  const rows = await readKeys(access.app.id, slots, true);
  return rows.map(({ row, view }) => ({ ...view, key: revealApiKey(access, row) }));
}

/**
 * The use of an app's keys without the keys (no ciphertext is read), for a role that may see the
 * app but not its keys: the General page shows a viewer this under the masked fields.
 */
export async function getApiKeyUsage(access: AppAccess, slots: readonly ApiKeySlot[] = API_KEY_SLOTS): Promise<ApiKeyUsageView[]> {
  return (await readKeys(access.app.id, slots, false)).map(({ view }) => view);
}

async function readKeys(appId: number, slots: readonly ApiKeySlot[], withCiphertext: boolean) {
  const now = Date.now();
  const usageSince = (ms: number) =>
    db.apiKeyUsage.groupBy({
      by: ['keyId'],
      where: { key: { appId, slot: { in: [...slots] } }, minute: { gte: new Date(now - ms) } },
      _sum: { count: true },
    });
  const [rows, regenerations, usage, lastHour] = await Promise.all([
    db.apiKey.findMany({
      where: { appId, slot: { in: [...slots] } },
      orderBy: { slot: 'asc' },
      select: {
        id: true,
        slot: true,
        ciphertext: withCiphertext,
        createdAt: true,
        lastUsedAt: true,
        createdBy: { select: { name: true } },
        createdViaToken: { select: { name: true } },
        createdViaOAuthClient: { select: { name: true } },
      },
    }),
    db.auditEvent.groupBy({ by: ['slot'], where: { appId, action: 'api_key.regenerated', slot: { in: [...slots] } }, _count: true }),
    // In the same round trip as the keys: their usage, found through the key's app and slot.
    usageSince(DAY_MS),
    usageSince(HOUR_MS),
  ]);
  return slots.map((slot) => {
    const row = rows.find((r) => r.slot === slot);
    if (!row) throw new Error(`App ${appId} has no key in slot ${slot}`);
    const view: ApiKeyUsageView = {
      slot,
      createdAt: row.createdAt.toISOString(),
      createdBy: row.createdBy?.name ?? null,
      createdViaToken: row.createdViaToken?.name ?? null,
      createdViaOAuthClient: row.createdViaOAuthClient?.name ?? null,
      regenerated: regenerations.some((r) => r.slot === slot),
      lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
      requests1h: lastHour.find((u) => u.keyId === row.id)?._sum.count ?? 0,
      requests24h: usage.find((u) => u.keyId === row.id)?._sum.count ?? 0,
    };
    return { row: { id: row.id, ciphertext: row.ciphertext ?? '' }, view };
  });
}

