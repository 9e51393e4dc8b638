import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { API_KEY_SLOTS, revealApiKey, type ApiKeySlot } from '../keys/api-keys';
import { apiErrors } from './errors';
import type { ApiContext } from './with-token';

const MAX_BODY_BYTES = 16 * 1024;

/** The app id from the path: a positive integer, or 400 "Invalid app ID". */
export function parseAppId(raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw apiErrors.invalidAppId();
  return Number(raw);
}

/**
 * The organization a request acts in: the token's own, or, for a token that covers all of the
 * user's organizations, the one named in X-Org-Name. Only organizations the user is a member of.
 */
export async function orgForRequest(context: ApiContext) {
  const named = context.request.headers.get('x-org-name')?.trim();
  if (!context.orgId && !named) throw apiErrors.orgRequired();
  const membership = await db.membership.findFirst({
    where: {
      userId: context.userId,
      org: context.orgId ? { id: context.orgId, ...(named ? { name: named } : {}) } : { name: named },
    },
    select: { role: true, org: { select: { id: true, name: true } } },
  });
  if (!membership) throw apiErrors.orgNotFound();
  return { ...membership.org, role: membership.role };
}

/** The app, when the token may see it: in the token's organization (or any of the user's), with the user a member. */
export async function appForRequest(context: ApiContext, rawAppId: string) {
  const appId = parseAppId(rawAppId);
  const app = await db.app.findFirst({
    where: {
      id: appId,
      org: { ...(context.orgId ? { id: context.orgId } : {}), members: { some: { userId: context.userId } } },
    },
    select: { id: true, orgId: true, org: { select: { members: { where: { userId: context.userId }, select: { role: true } } } } },
  });
  if (!app) throw apiErrors.appNotFound(appId);
  return { id: app.id, orgId: app.orgId, role: app.org.members[0]!.role };
}

/** The keys in the given slots of the given apps, decrypted, by app id and slot: one query. */
async function revealKeys(appIds: number[], slots: readonly ApiKeySlot[]): Promise<Map<string, string>> {
  const { keySecrets } = serverEnv();
  const rows = await db.apiKey.findMany({
    where: { appId: { in: appIds }, slot: { in: [...slots] } },
    select: { id: true, appId: true, slot: true, ciphertext: true },
  });
  return new Map(rows.map((row) => [`${row.appId}:${row.slot}`, revealApiKey(row, keySecrets)]));
}

/** Both keys of an app, in Spice's shape. */
export async function apiKeysOf(appId: number): Promise<{ api_key: string | null; api_key_2: string | null }> {
  const keys = await revealKeys([appId], API_KEY_SLOTS);
  return { api_key: keys.get(`${appId}:1`) ?? null, api_key_2: keys.get(`${appId}:2`) ?? null };
}

/** The primary key of each app, by app id (for GET /v1/apps): one query, only key 1 decrypted. */
export async function primaryKeysOf(appIds: number[]): Promise<Map<number, string>> {
  const keys = await revealKeys(appIds, [1]);
  return new Map(appIds.flatMap((id) => (keys.has(`${id}:1`) ? [[id, keys.get(`${id}:1`)!] as const] : [])));
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
