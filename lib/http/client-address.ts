/**
 * The client address a proxy recorded: the last X-Forwarded-For entry, the one the nearest hop
 * wrote (earlier entries are whatever the client sent). `next start` fills the header with the
 * connection's address when a request has none.
 */
export function lastForwardedFor(header: string | string[] | null | undefined): string | null {
  const value = Array.isArray(header) ? header.join(',') : header;
  return value?.split(',').at(-1)?.trim() || null;
}

/** The client's address for rate limiting and audit events, from a request's headers. */
export function clientAddress(headers: Headers): string {
  return lastForwardedFor(headers.get('x-forwarded-for')) ?? headers.get('x-real-ip') ?? 'unknown';
}
