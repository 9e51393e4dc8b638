import { withToken } from '@/lib/api/with-token';
import { listAppsWithoutKeys, listAppsWithPrimaryKey } from '@/lib/api/management';
import { grantIf } from '@/lib/auth/permissions';

/**
 * GET /v1/apps (apps:read): the apps of the token's organization, with their primary key; for a
 * role that may not see keys (a viewer), the same apps with `api_key: null`.
 */
export const GET = withToken({ scope: 'apps:read', permission: 'app:view', org: 'request' }, async (context) => {
  const keyView = grantIf(context.access, 'key:view');
  const apps = keyView ? await listAppsWithPrimaryKey(keyView) : await listAppsWithoutKeys(context.access);
  const body = apps.map((app) => ({
    id: app.id,
    name: app.name,
    description: app.description,
    visibility: app.visibility,
    created_at: app.createdAt.toISOString(),
    api_key: app.apiKey,
  }));
  return Response.json({ apps: body }, { headers: { 'Cache-Control': 'no-store' } });
});
