import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { serverEnv } from '../env';
import { API_KEY_SLOTS, revealApiKey } from '../keys/api-keys';
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

/** Both keys of an app, in Spice's shape. */
export async function apiKeysOf(appId: number): Promise<{ api_key: string | null; api_key_2: string | null }> {
  const { keySecrets } = serverEnv();
  const rows = await db.apiKey.findMany({ where: { appId }, select: { id: true, slot: true, ciphertext: true } });
  const [one, two] = API_KEY_SLOTS.map((slot) => {
    const row = rows.find((r) => r.slot === slot);
    return row ? revealApiKey(row, keySecrets) : null;
  });
  return { api_key: one ?? null, api_key_2: two ?? null };
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
