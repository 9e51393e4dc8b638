import { NextResponse, type NextRequest } from 'next/server';
import { REQUESTED_PATH_HEADER } from './lib/shared/http/requested-path';
import { securityHeaders } from './lib/shared/http/security-headers';

/**
 * Every page gets the security headers (lib/shared/http/security-headers.ts), with a fresh CSP nonce:
 * Next.js reads the nonce from the request's Content-Security-Policy header and puts it on the
 * scripts it renders. HSTS only when the portal is served over HTTPS (its public URL, or the
 * proxy's X-Forwarded-Proto when TRUST_PROXY lets that through).
 */
export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const https = request.nextUrl.protocol === 'https:' || (process.env.NEXTAUTH_URL ?? '').startsWith('https://');
  const headers = securityHeaders({ nonce, dev: process.env.NODE_ENV === 'development', https });
  // The invitation link (/invite/<token>) and its page send no Referer at all, not even to the portal.
  const path = request.nextUrl.pathname;
  if (path === '/invite' || path.startsWith('/invite/')) headers['Referrer-Policy'] = 'no-referrer';
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('Content-Security-Policy', headers['Content-Security-Policy']!);
  // The page asked for, so that a signed-out visitor comes back to it after signing in (set here
  // on every page request, so a client cannot supply it).
  requestHeaders.set(REQUESTED_PATH_HEADER, `${request.nextUrl.pathname}${request.nextUrl.search}`);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

export const config = {
  // Pages only: not the API (route handlers answer JSON), nor static files and prefetches.
  matcher: [
    {
      source: '/((?!api/|v1/|_next/static|_next/image|favicon.ico|readme/).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
