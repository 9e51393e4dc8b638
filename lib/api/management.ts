import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { API_KEY_SLOTS, revealApiKey, type ApiKeySlot } from '../data/api-keys';
import { getApiKeysForDisplay, type ApiKeyUsageView } from '../data/apps';
import type { OrgAccess } from '../auth/access';
import { emailSchema, roleSchema } from '../actions/member-rules';
import { grantIf, type Granted, type KeyViewAccess, type Role } from '../auth/permissions';
import { apiErrors } from './errors';
import { readBounded } from '../shared/http/read-bounded';

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

/**
 * A request's body as bytes, at most 16 KiB: 413 past it, by its Content-Length before reading,
 * and by counting while reading (a chunked body has none), so no more than the limit is ever held.
 */
export async function readBodyBytes(request: Request): Promise<Uint8Array<ArrayBuffer>> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) throw apiErrors.bodyTooLarge(MAX_BODY_BYTES);
  return readBounded(request.body, MAX_BODY_BYTES, () => apiErrors.bodyTooLarge(MAX_BODY_BYTES));
}

/** The body as text, at most 16 KiB (else `payload_too_large`). */
export async function readBoundedText(request: Request): Promise<string> {
  return new TextDecoder().decode(await readBodyBytes(request));
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

/**
 * The request's JSON body parsed with `schema` (zod objects drop the fields they do not know):
 * 400 invalid_request with the field errors, 413 over the size limit, before anything changes.
 */
export async function readBody<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  const parsed = schema.safeParse(await readOptionalJson(request));
  if (!parsed.success) throw apiErrors.invalidRequest(z.flattenError(parsed.error));
  return parsed.data;
}

/** An app in Spice's shape (GET/POST/PATCH /v1/apps…): its key 1, or null for a role that may not see keys. */
export function appBody(app: { id: number; name: string; description: string; visibility: string; createdAt: Date }, apiKey: string | null) {
  return { id: app.id, name: app.name, description: app.description, visibility: app.visibility, created_at: app.createdAt.toISOString(), api_key: apiKey };
}

/** Key 1 of one of the organization's apps, decrypted, or null when the caller may not see keys. */
export async function primaryKeyOf(access: OrgAccess, appId: number): Promise<string | null> {
  const keyView = grantIf(access, 'key:view');
  return keyView ? ((await revealKeys(keyView, [appId], [1])).get(`${appId}:1`) ?? null) : null;
}

/** A member in Spice's shape (user_id, roles, is_owner, created_at), with our one role, name and email beside. */
export function memberBody(member: { role: Role; createdAt: Date; user: { id: string; name: string; email: string } }) {
  return {
    user_id: member.user.id,
    name: member.user.name,
    email: member.user.email,
    role: member.role,
    roles: [member.role],
    is_owner: member.role === 'owner',
    created_at: member.createdAt.toISOString(),
  };
}

/** A member's role in a body: ours (`role`), or Spice's `roles` with one role in it (a member has one). */
const roleFields = {
  role: roleSchema.optional(),
  roles: z.array(roleSchema).length(1, 'A member has one role: send one.').optional(),
};
const roleOf = (body: { role?: Role; roles?: Role[] }) => body.role ?? body.roles?.[0];

/** `role` and `roles` that disagree are refused rather than one silently winning. */
const oneRole = (body: { role?: Role; roles?: Role[] }) => body.role === undefined || body.roles === undefined || body.role === body.roles[0];
const ONE_ROLE = { error: 'Send role or roles, not two different roles.', path: ['roles'] };

/** POST /v1/members: an email and a role (`member` when none is given, as Spice's default). */
export const addMemberBodySchema = z
  .object({ email: emailSchema, ...roleFields })
  .refine(oneRole, ONE_ROLE)
  .transform((body) => ({ email: body.email, role: roleOf(body) ?? 'member' }));

/** PATCH /v1/members/{userId}: the new role. */
export const changeRoleBodySchema = z
  .object(roleFields)
  .refine(oneRole, ONE_ROLE)
  .refine((body) => roleOf(body) !== undefined, { error: 'Role must be owner, admin, member or viewer.', path: ['role'] })
  .transform((body) => ({ role: roleOf(body)! }));

export const regenerateBodySchema = z.object({
  key_number: z
    .union([z.literal(0), z.literal(1), z.literal(2)], { error: 'Must be 0, 1, or 2' })
    .optional()
    .default(1),
});
