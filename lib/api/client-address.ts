/**
 * The client's address for rate limiting. `next start` fills X-Forwarded-For with the
 * connection's address when the request has none; a proxy in front appends the address it saw.
 * The last entry is the one the nearest trusted hop wrote, so that is the one used. (Without a
 * proxy in front, a client can still write the header itself: run the portal behind one.)
 */
export function clientAddress(headers: Headers): string {
  const last = headers.get('x-forwarded-for')?.split(',').at(-1)?.trim();
  return last || headers.get('x-real-ip') || 'unknown';
}
