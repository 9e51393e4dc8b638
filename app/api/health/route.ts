// The portal's liveness check for load balancers: no session, no database.
export function GET() {
  return new Response('ok', { headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' } });
}

export const dynamic = 'force-dynamic';
