import { describe, expect, it } from 'vitest';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';
import { acceptedHost, frontConfig, frontRequestHeaders } from '@/lib/shared/http/portal-front';
import { securityHeaders } from '@/lib/shared/http/security-headers';

describe("the portal server's request headers", () => {
  const embedded = frontConfig({ PORT: '3000' });

  it('takes the client address from the connection and drops forged forwarding headers', () => {
    const headers: Record<string, string | string[] | undefined> = {
      host: 'localhost:3000',
      'x-forwarded-for': '6.6.6.6',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      [CLIENT_ADDRESS_HEADER]: '6.6.6.6',
    };
    frontRequestHeaders(headers, '::ffff:192.0.2.4', embedded);
    expect(headers).toEqual({ host: 'localhost:3000', [CLIENT_ADDRESS_HEADER]: '192.0.2.4' });
  });

  it('with TRUST_PROXY, takes the entry the nearest proxy appended, and keeps a forwarded host only if it is ours', () => {
    const behindProxy = frontConfig({ TRUST_PROXY: 'true', NEXTAUTH_URL: 'https://portal.example.com' });
    const headers: Record<string, string | string[] | undefined> = {
      host: 'portal.internal:3000',
      'x-forwarded-for': '6.6.6.6, 203.0.113.9',
      'x-forwarded-host': 'portal.example.com',
      'x-forwarded-proto': 'https',
    };
    frontRequestHeaders(headers, '10.0.0.2', behindProxy);
    expect(headers[CLIENT_ADDRESS_HEADER]).toBe('203.0.113.9');
    expect(headers['x-forwarded-host']).toBe('portal.example.com');
    expect(headers.host).toBe('portal.example.com');
    const forged: Record<string, string | string[] | undefined> = { host: 'evil.example', 'x-forwarded-host': 'evil.example' };
    frontRequestHeaders(forged, '10.0.0.2', behindProxy);
    expect(forged['x-forwarded-host']).toBeUndefined();
    expect(forged.host).toBe('portal.example.com');
  });

  it('accepts any loopback host on the embedded default, and nothing else', () => {
    for (const host of ['localhost:3000', '127.0.0.1:3000', '[::1]:3000', '127.0.0.2:8080', 'LOCALHOST'])
      expect(acceptedHost(host, embedded.publicUrl), host).toBe(true);
    for (const host of ['evil.example', 'localhost.evil.example', '127.0.0.1.evil.example:3000', 'localhost:3000@evil', undefined]) {
      expect(acceptedHost(host, embedded.publicUrl), String(host)).toBe(false);
    }
    const headers: Record<string, string | string[] | undefined> = { host: 'evil.example' };
    frontRequestHeaders(headers, '127.0.0.1', embedded);
    expect(headers.host).toBe('localhost:3000');
    // A public URL that is not a loopback one accepts only itself.
    expect(acceptedHost('localhost:3000', new URL('https://portal.example.com'))).toBe(false);
  });
});

describe('security headers', () => {
  it('allow only nonce-carrying scripts, no eval in production, and HSTS only over HTTPS', () => {
    const production = securityHeaders({ nonce: 'abc', dev: false, https: false });
    expect(production['Content-Security-Policy']).toContain("script-src 'self' 'nonce-abc' 'strict-dynamic';");
    expect(production['Content-Security-Policy']).not.toContain('unsafe-eval');
    expect(production['Strict-Transport-Security']).toBeUndefined();
    expect(securityHeaders({ nonce: 'abc', dev: true, https: false })['Content-Security-Policy']).toContain("'unsafe-eval'");
    const https = securityHeaders({ nonce: 'abc', dev: false, https: true });
    expect(https['Strict-Transport-Security']).toBe('max-age=63072000; includeSubDomains');
    expect(https['Content-Security-Policy']).toContain('upgrade-insecure-requests');
  });
});
