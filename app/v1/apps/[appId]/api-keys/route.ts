import { apiKeysOf, readBody, regenerateBodySchema } from '@/lib/api/management';
import { originOf, withToken } from '@/lib/api/with-token';
import { regenerateApiKeys, type ApiKeySlot } from '@/lib/data/api-keys';
import { methodsNotAllowed } from '@/lib/api/errors';

const noStore = { 'Cache-Control': 'no-store' };

/** GET /v1/apps/{appId}/api-keys (apps:read): both keys, each with its use (created, last used, requests in the last hour and 24 hours). */
export const GET = withToken({ scope: 'apps:read', permission: 'key:view', app: 'appId' }, async (context) => {
  return Response.json(await apiKeysOf(context.access), { headers: noStore });
});

/**
 * POST /v1/apps/{appId}/api-keys (apps:write): regenerates key 1 (default), key 2, or both
 * (key_number 0, in one transaction), through the same function as the portal. Answers the keys
 * as that transaction left them.
 */
export const POST = withToken({ scope: 'apps:write', permission: 'key:regenerate', app: 'appId' }, async (context) => {
  const keyNumber = (await readBody(context.request, regenerateBodySchema)).key_number;
  const slots: ApiKeySlot[] = keyNumber === 0 ? [1, 2] : [keyNumber];
  const keys = await regenerateApiKeys(context.access, {
    slots,
    origin: originOf(context),
  });
  return Response.json({ api_key: keys[1].key, api_key_2: keys[2].key, regenerated_key: keyNumber }, { headers: noStore });
});

export const { PUT, PATCH, DELETE } = methodsNotAllowed('GET, POST');
