import { orgsOf, withToken } from '@/lib/api/with-token';
import { methodsNotAllowed } from '@/lib/api/errors';

/**
 * GET /v1/orgs (apps:read): the organizations the credential reaches, with the caller's role in
 * each: its own for a credential pinned to one, else all of its user's. The `name` is what
 * X-Org-Name takes.
 */
export const GET = withToken({ scope: 'apps:read' }, async (context) => {
  const orgs = (await orgsOf(context)).map((access) => ({ id: access.org.id, name: access.org.name, role: access.role }));
  return Response.json({ orgs }, { headers: { 'Cache-Control': 'no-store' } });
});

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed('GET');
