import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { revealApiKey, API_KEY_SLOTS, type ApiKeySlot } from '../keys/api-keys';

export async function listApps(orgId: string) {
  return db.app.findMany({
    where: { orgId },
    orderBy: { createdAt: 'asc' },
    select: { id: true, name: true, description: true, createdAt: true },
  });
}

/** The app named `appName` in the organization, when the user is a member of it, with the user's role. */
export async function getAppForUser(userId: string, orgName: string, appName: string) {
  const app = await db.app.findFirst({
    where: { name: appName, org: { name: orgName, members: { some: { userId } } } },
    select: {
      id: true,
      name: true,
      description: true,
      createdAt: true,
      org: { select: { id: true, name: true, members: { where: { userId }, select: { role: true } } } },
    },
  });
  if (!app) return null;
  const { org, ...rest } = app;
  return { ...rest, org: { id: org.id, name: org.name }, role: org.members[0]!.role };
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

/** Both keys of an app, decrypted for the General page (the caller has checked membership). */
export async function getApiKeysForDisplay(appId: number): Promise<ApiKeyView[]> {
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
