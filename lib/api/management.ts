import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { API_KEY_SLOTS, revealApiKey, type ApiKeySlot } from '../data/api-keys';
import { getApiKeysForDisplay, type ApiKeyUsageView } from '../data/apps';
import type { OrgAccess } from '../auth/access';
import type { Granted, KeyViewAccess } from '../auth/permissions';
import { apiErrors } from './errors';

const MAX_BODY_BYTES = 16 * 1024;

/** A key's use, beside it in GET /v1/apps/{appId}/api-keys: what a script needs to tell which key is idle. */
export type ApiKeyUsageBody = { created_at: string; last_used_at: string | null; requests_last_hour: number; requests_last_24h: number };

const usageBody = (view: ApiKeyUsageView): ApiKeyUsageBody => ({
  created_at: view.createdAt,
  last_used_at: view.lastUsedAt,
  requests_last_hour: view.requests1h,
  requests_last_24h: view.requests24h,
});

/** Both keys of an app in Spice's shape, each with its use beside it (Spice's clients ignore the fields they do not know). */
export async function apiKeysOf(access: KeyViewAccess) {
  const [one, two] = await getApiKeysForDisplay(access, API_KEY_SLOTS);
  return { api_key: one!.key, api_key_2: two!.key, api_key_usage: usageBody(one!), api_key_2_usage: usageBody(two!) };
}

/** The organization's apps (GET /v1/apps), with no key: what a role without `key:view` gets. */
export async function listAppsWithoutKeys(access: OrgAccess) {
  const apps = await db.app.findMany({
    where: { orgId: access.org.id },
    orderBy: { id: 'asc' },
    select: { id: true, name: true, description: true, visibility: true, createdAt: true },
  });
  return apps.map((app) => ({ ...app, apiKey: null as string | null }));
}

/** The organization's apps with their primary key (GET /v1/apps): two queries, only key 1 decrypted. */
export async function listAppsWithPrimaryKey(access: Granted<OrgAccess, 'key:view'>) {
  const apps = await listAppsWithoutKeys(access);
  const keys = await revealKeys(
    access,
    apps.map((app) => app.id),
    [1],
  );
  return apps.map((app) => ({ ...app, apiKey: keys.get(`${app.id}:1`) ?? null }));
}

/** The keys in the given slots of the given apps of the organization, decrypted, by app id and slot: one query. */
async function revealKeys(access: Granted<OrgAccess, 'key:view'>, appIds: number[], slots: readonly ApiKeySlot[]): Promise<Map<string, string>> {
  const rows = await db.apiKey.findMany({
    where: { appId: { in: appIds }, slot: { in: [...slots] }, app: { orgId: access.org.id } },
    select: { id: true, appId: true, slot: true, ciphertext: true },
  });
  return new Map(rows.map((row) => [`${row.appId}:${row.slot}`, revealApiKey(access, row)]));
}

/** An optional JSON body: empty is {}; anything else must be application/json, at most 16 KiB. */
export async function readOptionalJson(request: Request): Promise<unknown> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw apiErrors.bodyTooLarge(MAX_BODY_BYTES);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw apiErrors.bodyTooLarge(MAX_BODY_BYTES);
  const text = new TextDecoder().decode(bytes);
  if (!text.trim()) return {};
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (contentType !== 'application/json') {
    throw apiErrors.invalidRequest({ formErrors: ['Content-Type must be application/json'], fieldErrors: {} });
  }
  try {
    return JSON.parse(text);
  } catch {
    throw apiErrors.invalidJson();
  }
}

export const regenerateBodySchema = z.object({
  key_number: z
    .union([z.literal(0), z.literal(1), z.literal(2)], { error: 'Must be 0, 1, or 2' })
    .optional()
    .default(1),
});
