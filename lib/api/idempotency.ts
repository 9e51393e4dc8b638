import 'server-only';
import { createHash, randomUUID } from 'node:crypto';
import { db } from '../db';
import { serverEnv } from '../env';
import { isUniqueViolation } from '../prisma';
import { decryptSecret, encryptSecret, idempotencyContext } from '../shared/keys/crypto';
import { logUnexpected } from '../shared/errors';
import { DAY_MS } from '../shared/time';
import { apiErrors } from './errors';
import { readBodyBytes } from './management';

/** How long a stored answer is replayed: a key used again after that is a new request. */
export const IDEMPOTENCY_TTL_MS = DAY_MS;
/** How long the first request with a key holds it: one that crashed lets a retry take over after this. */
export const IDEMPOTENCY_LEASE_MS = 60_000;
/** Expired records deleted per claim, so the table stays bounded without a sweeper. */
const EXPIRED_PER_CLAIM = 100;
/** The answer's headers a replay repeats (beside Cache-Control and Idempotent-Replayed). */
const REPLAYED_HEADERS = ['content-type', 'location'];
const VALID_KEY = /^[\x20-\x7e]{1,255}$/;

type Claim = { kind: 'claimed'; id: string; leaseToken: string } | { kind: 'replay'; response: Response };

/**
 * Runs a management API request once per Idempotency-Key of its credential (as Stripe's API
 * does): GET requests, and requests without the header, run as they are. Called after the
 * credential and its scope were checked, so a 401 or 429 of authentication is never stored.
 *
 * - The key must be 1 to 255 printable ASCII characters, else 400 (invalid_request).
 * - The body is read here once (413 past the body limit, before anything is stored) and the
 *   handler gets a request it can read again.
 * - The first request with a key claims it by inserting its row: the unique (credential, key)
 *   index decides between concurrent requests on every instance and database. It holds the key
 *   for a lease of 60 s; a request that crashed lets a retry take over once the lease passed.
 * - Its answer is stored for 24 hours if it is not a 5xx (4xx answers are stored, as Stripe
 *   does); a 5xx releases the key, so a retry runs again. The body is stored encrypted
 *   (AES-256-GCM bound to "idempotency:<id>": a regeneration's answer holds the new keys).
 * - The same key with the same request (method, path, X-Org-Name, body) answers the stored
 *   answer with `Idempotent-Replayed: true` and changes nothing; with another request, 422
 *   idempotency_key_reused; while the first still runs, 409 idempotency_in_progress (Retry-After: 1).
 */
export async function idempotently(
  request: Request,
  credential: string,
  handler: { run: (request: Request) => Promise<Response>; mayReplay: () => Promise<void> },
): Promise<Response> {
  const { run } = handler;
  const key = request.headers.get('idempotency-key');
  if (request.method === 'GET' || request.method === 'HEAD' || key === null) return run(request);
  if (!VALID_KEY.test(key)) throw apiErrors.invalidIdempotencyKey();
  const bytes = await readBodyBytes(request);
  const url = new URL(request.url);
  const digest = createHash('sha256')
    .update(`${request.method}\n${url.pathname}${url.search}\n${request.headers.get('x-org-name')?.trim().toLowerCase() ?? ''}\n`)
    .update(bytes)
    .digest('hex');
  const claim = await claimKey(credential, key, digest);
  if (claim.kind === 'replay') {
    // An answer with a body may hold new keys or an invitation link: only for a caller who may still
    // act there (throws 403 or 404 as a new request would). An empty one (a 204) reveals nothing.
    if (claim.response.body !== null) await handler.mayReplay();
    return claim.response;
  }

  // The handler reads the body again from a copy (a Request's body can be read once).
  const again = new Request(request.url, { method: request.method, headers: request.headers, body: bytes.byteLength > 0 ? bytes : undefined });
  let response: Response;
  try {
    response = await run(again);
  } catch (error) {
    await release(claim).catch((failure: unknown) => logUnexpected('idempotency release', failure));
    throw error;
  }
  try {
    return await store(claim, response);
  } catch (error) {
    // The change was made: the caller gets its answer; a retry after the lease runs again.
    logUnexpected('idempotency store', error);
    return response;
  }
}

/** Claims the key (a new row, an expired one replaced, or a stale lease taken over), or answers from it. */
async function claimKey(credential: string, key: string, requestDigest: string): Promise<Claim> {
  const now = new Date();
  await deleteExpired(now);
  for (let attempt = 0; attempt < 3; attempt++) {
    const leaseToken = randomUUID();
    const leaseUntil = new Date(now.getTime() + IDEMPOTENCY_LEASE_MS);
    try {
      const row = await db.idempotentRequest.create({ data: { credential, key, requestDigest, leaseToken, leaseUntil }, select: { id: true } });
      return { kind: 'claimed', id: row.id, leaseToken };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
    const row = await db.idempotentRequest.findUnique({ where: { credential_key: { credential, key } } });
    if (!row) continue; // Deleted meanwhile (expired, or released after a 5xx): claim it anew.
    if (row.createdAt.getTime() <= now.getTime() - IDEMPOTENCY_TTL_MS) {
      await db.idempotentRequest.deleteMany({ where: { id: row.id, createdAt: row.createdAt } });
      continue;
    }
    if (row.requestDigest !== requestDigest) throw apiErrors.idempotencyKeyReused();
    if (row.status !== null) return { kind: 'replay', response: replay(row.id, row.status, row.headers, row.body) };
    if (row.leaseUntil && row.leaseUntil > now) throw apiErrors.idempotencyInProgress();
    // The first request's lease passed without an answer (it crashed): take it over, if no one else did.
    const taken = await db.idempotentRequest.updateMany({
      where: { id: row.id, status: null, leaseToken: row.leaseToken },
      data: { leaseToken, leaseUntil },
    });
    if (taken.count === 1) return { kind: 'claimed', id: row.id, leaseToken };
  }
  throw apiErrors.idempotencyInProgress();
}

/** Deletes a bounded number of records older than 24 hours. */
async function deleteExpired(now: Date): Promise<void> {
  const expired = await db.idempotentRequest.findMany({
    where: { createdAt: { lte: new Date(now.getTime() - IDEMPOTENCY_TTL_MS) } },
    select: { id: true },
    take: EXPIRED_PER_CLAIM,
  });
  if (expired.length > 0) await db.idempotentRequest.deleteMany({ where: { id: { in: expired.map((row) => row.id) } } });
}

/**
 * Stores a 2xx answer and hands it on, readable. Any other answer releases the key, so a retry runs
 * the request again: a refusal (bad input, a role that may not, a conflict) changed nothing, and the
 * caller may fix its cause and retry with the same key (as Stripe keeps no result for a request
 * that failed validation); a 5xx may be a passing fault.
 */
async function store(claim: Extract<Claim, { kind: 'claimed' }>, response: Response): Promise<Response> {
  if (response.status < 200 || response.status >= 300) {
    await release(claim);
    return response;
  }
  const text = await response.text();
  const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((name) => (response.headers.has(name) ? [[name, response.headers.get(name)!]] : [])));
  // Only the holder stores: a request whose lease was taken over leaves the answer to the one that took it.
  await db.idempotentRequest.updateMany({
    where: { id: claim.id, leaseToken: claim.leaseToken },
    data: {
      status: response.status,
      headers: JSON.stringify(headers),
      body: encryptSecret(text, idempotencyContext(claim.id), serverEnv().keySecrets.encryptionKey),
      leaseToken: null,
      leaseUntil: null,
    },
  });
  return new Response(bodyOf(response.status, text), { status: response.status, statusText: response.statusText, headers: response.headers });
}

/** Lets the key go, so that a retry runs the request again. */
async function release(claim: Extract<Claim, { kind: 'claimed' }>): Promise<void> {
  await db.idempotentRequest.deleteMany({ where: { id: claim.id, leaseToken: claim.leaseToken } });
}

function replay(id: string, status: number, headers: string | null, body: string | null): Response {
  const text = body === null ? '' : decryptSecret(body, idempotencyContext(id), serverEnv().keySecrets.encryptionKey);
  const stored = headers ? (JSON.parse(headers) as Record<string, string>) : {};
  return new Response(bodyOf(status, text), { status, headers: { ...stored, 'Cache-Control': 'no-store', 'Idempotent-Replayed': 'true' } });
}

/** A Response with status 204, 205 or 304 may have no body at all, not even an empty one. */
function bodyOf(status: number, text: string): string | null {
  return status === 204 || status === 205 || status === 304 || text === '' ? null : text;
}
