/**
 * The client address a proxy recorded: the last X-Forwarded-For entry, the one the nearest hop
 * wrote (earlier entries are whatever the client sent).
 */
export function lastForwardedFor(header: string | string[] | null | undefined): string | null {
  const value = Array.isArray(header) ? header.join(',') : header;
  return value?.split(',').at(-1)?.trim() || null;
}

/** `::ffff:127.0.0.1` (an IPv4 client on a dual-stack socket) reads as `127.0.0.1`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice('::ffff:'.length) : address;
}

/**
 * The address of the client behind a connection: the TCP peer; with `trustProxy` (the portal
 * runs behind a proxy of ours), the entry the nearest proxy appended to X-Forwarded-For. A
 * client-sent X-Forwarded-For is never believed otherwise.
 */
export function connectionClientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, trustProxy: boolean): string {
  const address = (trustProxy ? lastForwardedFor(forwardedFor) : null) ?? socketAddress;
  return address ? plainAddress(address) : 'unknown';
}

/**
 * The header through which the portal's server (scripts/portal-server.mjs) hands the client
 * address to pages, actions and route handlers: Next.js does not expose the socket to them. The
 * server sets it on every request, overwriting whatever a client sent under that name.
 */
export const CLIENT_ADDRESS_HEADER = 'x-portal-client-address';

/** The client's address for rate limits and audit events, from a request's headers (see CLIENT_ADDRESS_HEADER). */
export function clientAddress(headers: Headers | Record<string, string | string[] | undefined>): string {
  const value = headers instanceof Headers ? headers.get(CLIENT_ADDRESS_HEADER) : headers[CLIENT_ADDRESS_HEADER];
  const address = Array.isArray(value) ? value[0] : value;
  return address?.trim() || 'unknown';
}
