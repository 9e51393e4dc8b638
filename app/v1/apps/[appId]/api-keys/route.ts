import { z } from 'zod';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { apiErrors } from '@/lib/api/errors';
import { apiKeysOf, appForRequest, readOptionalJson, regenerateBodySchema } from '@/lib/api/management';
import { withToken } from '@/lib/api/with-token';
import { regenerateApiKeys, type ApiKeySlot } from '@/lib/keys/api-keys';
import { canManage } from '@/lib/roles';

type Params = { appId: string };
const noStore = { 'Cache-Control': 'no-store' };

/** GET /v1/apps/{appId}/api-keys (apps:read): both keys. */
export const GET = withToken<Params>('apps:read', async (context, params) => {
  const app = await appForRequest(context, params.appId);
  return Response.json(await apiKeysOf(app.id), { headers: noStore });
});

/**
 * POST /v1/apps/{appId}/api-keys (apps:write): regenerates key 1 (default), key 2, or both
 * (key_number 0, in one transaction), through the same function as the portal.
 */
export const POST = withToken<Params>('apps:write', async (context, params) => {
  const app = await appForRequest(context, params.appId);
  const parsed = regenerateBodySchema.safeParse(await readOptionalJson(context.request));
  if (!parsed.success) throw apiErrors.invalidRequest(z.flattenError(parsed.error));
  if (!canManage(app.role)) throw apiErrors.forbidden('Only owners and admins can regenerate keys');
  const keyNumber = parsed.data.key_number;
  const slots: ApiKeySlot[] = keyNumber === 0 ? [1, 2] : [keyNumber];
  await regenerateApiKeys(db, serverEnv().keySecrets, {
    orgId: app.orgId,
    appId: app.id,
    slots,
    origin: {
      actorId: context.userId,
      tokenId: context.tokenId,
      ip: context.address,
      userAgent: context.request.headers.get('user-agent'),
    },
  });
  return Response.json({ ...(await apiKeysOf(app.id)), regenerated_key: keyNumber }, { headers: noStore });
});
