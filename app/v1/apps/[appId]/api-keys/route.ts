import { z } from 'zod';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { apiErrors } from '@/lib/api/errors';
import { AppError } from '@/lib/shared/errors';
import { apiKeysOf, appForRequest, readOptionalJson, regenerateBodySchema } from '@/lib/api/management';
import { withToken } from '@/lib/api/with-token';
import { can } from '@/lib/auth/permissions';
import { regenerateApiKeys, type ApiKeySlot } from '@/lib/data/api-keys';

type Params = { appId: string };
const noStore = { 'Cache-Control': 'no-store' };

/** GET /v1/apps/{appId}/api-keys (apps:read): both keys. */
export const GET = withToken<Params>('apps:read', async (context, params) => {
  const access = await appForRequest(context, params.appId);
  return Response.json(await apiKeysOf(access), { headers: noStore });
});

/**
 * POST /v1/apps/{appId}/api-keys (apps:write): regenerates key 1 (default), key 2, or both
 * (key_number 0, in one transaction), through the same function as the portal. Answers the keys
 * as that transaction left them.
 */
export const POST = withToken<Params>('apps:write', async (context, params) => {
  const access = await appForRequest(context, params.appId);
  const parsed = regenerateBodySchema.safeParse(await readOptionalJson(context.request));
  if (!parsed.success) throw apiErrors.invalidRequest(z.flattenError(parsed.error));
  if (!can(access.role, 'key:regenerate')) throw apiErrors.forbidden('key:regenerate');
  const keyNumber = parsed.data.key_number;
  const slots: ApiKeySlot[] = keyNumber === 0 ? [1, 2] : [keyNumber];
  const keys = await regenerateApiKeys(db, serverEnv().keySecrets, access, {
    slots,
    origin: {
      actorId: context.userId,
      tokenId: context.tokenId,
      ip: context.address,
      userAgent: context.request.headers.get('user-agent'),
    },
  }).catch((error: unknown) => {
    // Deleted since it was found: answered as an unknown app.
    if (error instanceof AppError && error.code === 'not_found') throw apiErrors.appNotFound(access.app.id);
    throw error;
  });
  return Response.json({ api_key: keys[1].key, api_key_2: keys[2].key, regenerated_key: keyNumber }, { headers: noStore });
});
