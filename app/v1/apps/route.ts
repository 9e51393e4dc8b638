import { withToken } from '@/lib/api/with-token';
import { listAppsWithPrimaryKey } from '@/lib/api/management';

/** GET /v1/apps (apps:read): the apps of the token's organization, with their primary key. */
export const GET = withToken({ scope: 'apps:read', permission: 'key:view', org: 'request' }, async (context) => {
  const apps = await listAppsWithPrimaryKey(context.access);
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
