import { z } from 'zod';
import { withToken, originOf } from '@/lib/api/with-token';
import { appBody, primaryKeyOf, readBody } from '@/lib/api/management';
import { deleteAppOf, updateAppOf } from '@/lib/data/app-changes';
import { getApp } from '@/lib/data/apps';
import { appDescriptionSchema, appNameSchema } from '@/lib/names';
import { methodsNotAllowed } from '@/lib/api/errors';

const noStore = { 'Cache-Control': 'no-store' };

/** GET /v1/apps/{appId} (apps:read): the app, with its key 1 (null for a viewer). */
export const GET = withToken({ scope: 'apps:read', permission: 'app:view', app: 'appId' }, async (context) => {
  const app = await getApp(context.access);
  return Response.json(appBody(app, await primaryKeyOf(context.access, app.id)), { headers: noStore });
});

const updateAppBodySchema = z
  .object({ name: appNameSchema.optional(), description: appDescriptionSchema.optional() })
  .refine((body) => body.name !== undefined || body.description !== undefined, { error: 'Send name, description or both.' });

/** PATCH /v1/apps/{appId} (apps:write): renames the app and/or edits its description, with the portal's rules. */
export const PATCH = withToken({ scope: 'apps:write', permission: 'app:update', app: 'appId' }, async (context) => {
  const input = await readBody(context.request, updateAppBodySchema);
  const app = await updateAppOf(context.access, input, originOf(context));
  return Response.json(appBody(app, await primaryKeyOf(context.access, app.id)), { headers: noStore });
});

/** PUT /v1/apps/{appId}: Spice's method for the same change, for its clients. */
export const PUT = PATCH;

/**
 * DELETE /v1/apps/{appId} (apps:write): deletes the app through the portal's function: both keys
 * stop working the moment it commits. 204, as Spice answers.
 */
export const DELETE = withToken({ scope: 'apps:write', permission: 'app:delete', app: 'appId' }, async (context) => {
  await deleteAppOf(context.access, originOf(context));
  return new Response(null, { status: 204, headers: noStore });
});

export const { POST } = methodsNotAllowed('GET, PUT, PATCH, DELETE');
