import { db } from '@/lib/db';
import { withToken } from '@/lib/api/with-token';
import { orgForRequest, primaryKeysOf } from '@/lib/api/management';

/** GET /v1/apps (apps:read): the apps of the token's organization, with their primary key. */
export const GET = withToken('apps:read', async (context) => {
  const org = await orgForRequest(context);
  const apps = await db.app.findMany({
    where: { orgId: org.id },
    orderBy: { id: 'asc' },
    select: { id: true, name: true, description: true, visibility: true, createdAt: true },
  });
  const keys = await primaryKeysOf(apps.map((app) => app.id));
  const withKeys = apps.map((app) => ({
    id: app.id,
    name: app.name,
    description: app.description,
    visibility: app.visibility,
    created_at: app.createdAt.toISOString(),
    api_key: keys.get(app.id) ?? null,
  }));
  return Response.json({ apps: withKeys }, { headers: { 'Cache-Control': 'no-store' } });
});
