import { openApiDocument } from '@/lib/api/openapi';
import { runtimePublicUrl } from '@/lib/env';
import { methodsNotAllowed } from '@/lib/api/errors';

/** GET /v1/openapi.json: the OpenAPI 3.1 document of the management and runtime APIs. */
export function GET(request: Request) {
  const portal = process.env.NEXTAUTH_URL?.replace(/\/+$/, '') ?? new URL(request.url).origin;
  return Response.json(openApiDocument({ portal, runtime: runtimePublicUrl() }), { headers: { 'Cache-Control': 'no-store' } });
}

export const { POST, PUT, PATCH, DELETE } = methodsNotAllowed('GET');
