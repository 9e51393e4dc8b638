import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { API_KEY_SLOTS, revealApiKey, type ApiKeySlot } from '../data/api-keys';
import type { OrgAccess } from '../auth/access';
import type { Granted, KeyViewAccess } from '../auth/permissions';
import { apiErrors } from './errors';

const MAX_BODY_BYTES = 16 * 1024;

/** Both keys of an app, in Spice's shape. */
export async function apiKeysOf(access: KeyViewAccess): Promise<{ api_key: string | null; api_key_2: string | null }> {
  const appId = access.app.id;
  const keys = await revealKeys(access, [appId], API_KEY_SLOTS);
  return { api_key: keys.get(`${appId}:1`) ?? null, api_key_2: keys.get(`${appId}:2`) ?? null };
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

/** The body as text, at most 16 KiB (else `payload_too_large`, by the declared length before reading). */
export async function readBoundedText(request: Request): Promise<string> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw apiErrors.bodyTooLarge(MAX_BODY_BYTES);
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (bytes.byteLength > MAX_BODY_BYTES) throw apiErrors.bodyTooLarge(MAX_BODY_BYTES);
  return new TextDecoder().decode(bytes);
}

/** An optional JSON body: empty is {}; anything else must be application/json, at most 16 KiB. */
export async function readOptionalJson(request: Request): Promise<unknown> {
  const text = await readBoundedText(request);
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
