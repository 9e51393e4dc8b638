import { serverEnv } from '@/lib/env';
import { carriesMetricsToken, observability } from '@/lib/observability';

// The portal's Prometheus metrics (docs/operations.md), for a scraper holding METRICS_TOKEN only.
// Off (METRICS_TOKEN unset) and refused (a wrong or missing token) answer the same 404 as any
// unknown path: the route tells nobody whether metrics are on, nor that a token was close.
export async function GET(request: Request) {
  const token = serverEnv().metricsToken;
  if (!token || !carriesMetricsToken(request.headers.get('authorization'), token)) {
    return new Response('Not found.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
  }
  const { registry } = observability();
  return new Response(await registry.metrics(), { headers: { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' } });
}

export const dynamic = 'force-dynamic';
