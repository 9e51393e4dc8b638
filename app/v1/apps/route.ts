import { db } from '@/lib/db';
import { withToken } from '@/lib/api/with-token';
import { apiKeysOf, orgForRequest } from '@/lib/api/management';

/** GET /v1/apps (apps:read): the apps of the token's organization, with their primary key. */
export const GET = withToken('apps:read', async (context) => {
  const org = await orgForRequest(context);
  const apps = await db.app.findMany({
    where: { orgId: org.id },
    orderBy: { id: 'asc' },
    select: { id: true, name: true, description: true, visibility: true, createdAt: true },
  });
  const withKeys = await Promise.all(
    apps.map(async (app) => ({
      id: app.id,
      name: app.name,
      description: app.description,
      visibility: app.visibility,
      created_at: app.createdAt.toISOString(),
      api_key: (await apiKeysOf(app.id)).api_key,
    })),
  );
  return Response.json({ apps: withKeys }, { headers: { 'Cache-Control': 'no-store' } });
});
