import type { IncomingHttpHeaders } from 'node:http';
import { CLIENT_ADDRESS_HEADER, connectionClientAddress } from './client-address';

/**
 * What the portal's server (scripts/portal-server.mjs) does to each request before Next.js sees
 * it, because route handlers, server actions and pages cannot see the connection:
 * - the client address goes into CLIENT_ADDRESS_HEADER: the TCP peer, or with TRUST_PROXY the
 *   nearest proxy's X-Forwarded-For entry; whatever a client sent under that name is replaced;
 * - without TRUST_PROXY, client-sent X-Forwarded-For/-Host/-Proto/-Port are dropped (Next.js
 *   then fills them in from the connection itself);
 * - a Host that is not the portal's public address (PUBLIC URL, or any loopback name when that
 *   address is a loopback one) is replaced by it, so that nothing (auth redirects included) is
 *   built from an arbitrary Host.
 */
export type FrontConfig = { trustProxy: boolean; publicUrl: URL };

export function frontConfig(env: Record<string, string | undefined> = process.env): FrontConfig {
  return {
    trustProxy: /^(1|true|yes)$/i.test(env.TRUST_PROXY ?? ''),
    publicUrl: new URL(portalPublicUrl(env)),
  };
}

/** The portal's own address: NEXTAUTH_URL, or http://localhost:PORT on the embedded default. */
export function portalPublicUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.NEXTAUTH_URL ?? `http://localhost:${env.PORT ?? 3000}`).replace(/\/+$/, '');
}

const LOOPBACK_NAMES = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** The host name of a Host header value (`[::1]:3000` → `[::1]`). */
function hostName(host: string): string {
  return host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
}

export function acceptedHost(host: string | undefined, publicUrl: URL): boolean {
  if (!host) return false;
  if (host.toLowerCase() === publicUrl.host.toLowerCase()) return true;
  return LOOPBACK_NAMES.test(publicUrl.hostname) && LOOPBACK_NAMES.test(hostName(host)) && /^(\[[^\]]+\]|[^:]+)(:\d{1,5})?$/.test(host);
}

export function frontRequestHeaders(headers: IncomingHttpHeaders, socketAddress: string | undefined, config: FrontConfig): void {
  headers[CLIENT_ADDRESS_HEADER] = connectionClientAddress(socketAddress, headers['x-forwarded-for'], config.trustProxy);
  if (!config.trustProxy) {
    for (const name of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port']) delete headers[name];
  } else if (!acceptedHost(firstValue(headers['x-forwarded-host']), config.publicUrl)) {
    delete headers['x-forwarded-host'];
  }
  if (!acceptedHost(headers.host, config.publicUrl)) headers.host = config.publicUrl.host;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return (Array.isArray(value) ? value[0] : value)?.split(',')[0]?.trim();
}
