import { z } from 'zod';
import { withToken, originOf } from '@/lib/api/with-token';
import { appBody, listAppsWithoutKeys, listAppsWithPrimaryKey, primaryKeyOf, readBody } from '@/lib/api/management';
import { grantIf } from '@/lib/auth/permissions';
import { createAppIn } from '@/lib/data/app-changes';
import { appDescriptionSchema, appNameSchema } from '@/lib/names';
import { methodsNotAllowed } from '@/lib/api/errors';

const noStore = { 'Cache-Control': 'no-store' };

/**
 * GET /v1/apps (apps:read): the apps of the token's organization, with their primary key; for a
 * role that may not see keys (a viewer), the same apps with `api_key: null`.
 */
export const GET = withToken({ scope: 'apps:read', permission: 'app:view', org: 'request' }, async (context) => {
  const keyView = grantIf(context.access, 'key:view');
  const apps = keyView ? await listAppsWithPrimaryKey(keyView) : await listAppsWithoutKeys(context.access);
  return Response.json({ apps: apps.map((app) => appBody(app, app.apiKey)) }, { headers: noStore });
});

const createAppBodySchema = z.object({ name: appNameSchema, description: appDescriptionSchema.optional().default('') });

/**
 * POST /v1/apps (apps:write): creates an app with both keys in the request's organization, with
 * the portal's name rules and app limit, through the same function as the portal (201).
 */
export const POST = withToken({ scope: 'apps:write', permission: 'app:create', org: 'request' }, async (context) => {
  const input = await readBody(context.request, createAppBodySchema);
  const app = await createAppIn(context.access, input, originOf(context));
  return Response.json(appBody(app, await primaryKeyOf(context.access, app.id)), { status: 201, headers: noStore });
});

export const { PUT, PATCH, DELETE } = methodsNotAllowed('GET, POST');
