import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { API_KEY_SLOTS, revealApiKey, type ApiKeySlot } from '../data/api-keys';
import { findAppAccess, findOrgAccess, type AppAccess, type OrgAccess } from '../auth/access';
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
export async function orgForRequest(context: ApiContext): Promise<OrgAccess> {
  const named = context.request.headers.get('x-org-name')?.trim();
  if (!context.orgId && !named) throw apiErrors.orgRequired();
  const access = await findOrgAccess(context.userId, named ? { name: named } : { id: context.orgId! }, { tokenOrgId: context.orgId });
  if (!access) throw apiErrors.orgNotFound();
  return access;
}

/** The app, when the token may see it: in the token's organization (or any of the user's), with the user a member. */
export async function appForRequest(context: ApiContext, rawAppId: string): Promise<AppAccess> {
  const appId = parseAppId(rawAppId);
  const access = await findAppAccess(context.userId, { id: appId }, { tokenOrgId: context.orgId });
  if (!access) throw apiErrors.appNotFound(appId);
  return access;
}

/** Both keys of an app, in Spice's shape. */
export async function apiKeysOf(access: AppAccess): Promise<{ api_key: string | null; api_key_2: string | null }> {
  const appId = access.app.id;
  const keys = await revealKeys([appId], API_KEY_SLOTS);
  return { api_key: keys.get(`${appId}:1`) ?? null, api_key_2: keys.get(`${appId}:2`) ?? null };
}

/** The organization's apps with their primary key (GET /v1/apps): two queries, only key 1 decrypted. */
export async function listAppsWithPrimaryKey(access: OrgAccess) {
  const apps = await db.app.findMany({
    where: { orgId: access.org.id },
    orderBy: { id: 'asc' },
    select: { id: true, name: true, description: true, visibility: true, createdAt: true },
  });
  const keys = await revealKeys(apps.map((app) => app.id), [1]);
  return apps.map((app) => ({ ...app, apiKey: keys.get(`${app.id}:1`) ?? null }));
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
