// One webhook request: resolve the host once, check every address it has (./addresses.ts), and
// connect to the address that was checked (node:http/https with a `lookup` that answers it, and
// the host name for TLS), so a name cannot resolve to a public address for the check and to a
// private one for the connection. Redirects are not followed: a 3xx answer is a failed attempt.
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { hostOf, isPublicAddress, urlRefusal } from './addresses';

export const DELIVERY_LIMITS = {
  /** The whole attempt (connecting, sending, the answer's head and excerpt) takes at most this long. */
  timeoutMs: 10_000,
  /** How much of an answer is read; the rest is dropped with the connection. */
  readBytes: 1024,
  /** How much of it the delivery log keeps. */
  excerptChars: 300,
} as const;

export type DeliveryOutcome = { ok: boolean; statusCode: number | null; error: string | null; durationMs: number; excerpt: string };

export type DeliveryOptions = { allowPrivate: boolean; timeoutMs?: number };

/** An address refused by the rule, with the reason the delivery log shows. */
class RefusedAddress extends Error {}

/** The addresses to connect to: every one the name has must be public (unless private ones are allowed). */
async function checkedAddress(host: string, allowPrivate: boolean): Promise<{ address: string; family: 4 | 6 }> {
  const literal = isIP(host);
  const addresses = literal ? [{ address: host, family: literal }] : await dnsLookup(host, { all: true, verbatim: true });
  if (addresses.length === 0) throw new Error(`${host} has no address`);
  if (!allowPrivate) {
    const refused = addresses.find((entry) => !isPublicAddress(entry.address));
    // The address itself is not said: the delivery log would map the portal's internal DNS.
    if (refused) throw new RefusedAddress(`Refused: ${host} resolves to a private, loopback or reserved address`);
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** POSTs a signed webhook: the outcome, never a throw. `ok` is a 2xx answer. */
export async function postWebhook(target: string, headers: Record<string, string>, body: string, options: DeliveryOptions): Promise<DeliveryOutcome> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const failed = (error: string): DeliveryOutcome => ({ ok: false, statusCode: null, error: error.slice(0, 300), durationMs: elapsed(), excerpt: '' });
  const refusal = urlRefusal(target, options.allowPrivate);
  if (refusal) return failed(refusal);
  const url = new URL(target);
  const host = hostOf(url);
  const timeoutMs = options.timeoutMs ?? DELIVERY_LIMITS.timeoutMs;
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const pinned = await Promise.race([
      checkedAddress(host, options.allowPrivate),
      new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(new Error(`No answer within ${timeoutMs / 1000} s`)))),
    ]);
    // Answers the checked address, whichever form the caller asks in.
    const lookup: LookupFunction = (_hostname, lookupOptions, callback) => {
      if (lookupOptions.all) (callback as (e: null, a: { address: string; family: number }[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const client = url.protocol === 'https:' ? https : http;
    const answer = await new Promise<{ statusCode: number; excerpt: string }>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            'user-agent': 'Spice-Portal-Webhooks/1',
          },
          lookup,
          // A new connection each time: a pooled one could be to an address checked for another name.
          agent: false,
          ...(url.protocol === 'https:' && !isIP(host) ? { servername: host } : {}),
          signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          const finish = () => {
            res.destroy();
            resolve({ statusCode: res.statusCode ?? 0, excerpt: Buffer.concat(chunks).subarray(0, DELIVERY_LIMITS.readBytes).toString('utf8') });
          };
          res.on('data', (chunk: Buffer) => {
            chunks.push(chunk);
            size += chunk.length;
            if (size >= DELIVERY_LIMITS.readBytes) finish();
          });
          res.on('end', finish);
          res.on('error', finish);
        },
      );
      req.on('error', reject);
      // Whatever the socket does, the attempt ends at the deadline.
      signal.addEventListener('abort', () => reject(new Error('timeout')), { once: true });
      req.end(body);
    });
    const ok = answer.statusCode >= 200 && answer.statusCode < 300;
    return {
      ok,
      statusCode: answer.statusCode,
      error: ok ? null : answer.statusCode >= 300 && answer.statusCode < 400 ? `Redirect (${answer.statusCode}) not followed` : null,
      durationMs: elapsed(),
      excerpt: answer.excerpt.replace(/\s+/g, ' ').trim().slice(0, DELIVERY_LIMITS.excerptChars),
    };
  } catch (error) {
    if (error instanceof RefusedAddress) return failed(error.message);
    if (signal.aborted) return failed(`No answer within ${timeoutMs / 1000} s`);
    const code = error instanceof Error && 'code' in error ? ` (${String(error.code)})` : '';
    return failed(`${error instanceof Error ? error.message : String(error)}${code}`);
  }
}
