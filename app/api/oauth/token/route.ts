import { z } from 'zod';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { apiFailureLimiter, observeApiRequest } from '@/lib/api/with-token';
import { readBoundedText } from '@/lib/api/management';
import { exchangeClientCredentials } from '@/lib/tokens/oauth-clients';
import { TOKEN_SCOPES } from '@/lib/tokens/scopes';
import { refused } from '@/lib/shared/http/failure-limiter';
import { clientAddress } from '@/lib/shared/http/client-address';
import { AppError, logUnexpected } from '@/lib/shared/errors';
import { requestId } from '@/lib/shared/logger';

/**
 * The OAuth 2.0 token endpoint (RFC 6749), client credentials grant only: an OAuth client of an
 * organization (Organization → Settings → OAuth clients) trades its id and secret for an access
 * token valid for an hour, which the management API takes as a Bearer token.
 */

type OAuthError = 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'invalid_scope';

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const REALM = 'Basic realm="Spice Portal OAuth", charset="UTF-8"';

/** An error answer of RFC 6749 §5.2: `invalid_client` is a 401 (with the Basic challenge when Basic was used), the rest 400. */
function oauthError(error: OAuthError, description: string, options: { basic?: boolean } = {}): Response {
  const status = error === 'invalid_client' ? 401 : 400;
  return Response.json(
    { error, error_description: description },
    { status, headers: { ...NO_STORE, ...(status === 401 && options.basic ? { 'WWW-Authenticate': REALM } : {}) } },
  );
}

const field = z.string().max(512);
const tokenRequestSchema = z.object({
  grant_type: field.optional(),
  client_id: field.optional(),
  client_secret: field.optional(),
  scope: field.optional(),
});

class BadRequest extends Error {}
class UnsupportedAuthentication extends Error {}

/** The body's parameters: form-encoded (RFC 6749) or JSON (as Spice documents it), at most 16 KiB. */
async function readParameters(request: Request): Promise<z.output<typeof tokenRequestSchema>> {
  const text = await readBoundedText(request);
  const contentType = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  let raw: unknown;
  if (contentType === 'application/x-www-form-urlencoded') {
    const params = new URLSearchParams(text);
    // A parameter sent twice is refused (RFC 6749 §3.2).
    if (new Set(params.keys()).size !== [...params.keys()].length) throw new BadRequest('A parameter is repeated.');
    raw = Object.fromEntries(params);
  } else if (contentType === 'application/json') {
    try {
      raw = JSON.parse(text);
    } catch {
      throw new BadRequest('The body is not valid JSON.');
    }
  } else {
    throw new BadRequest('Send the parameters as application/x-www-form-urlencoded or application/json.');
  }
  const parsed = tokenRequestSchema.safeParse(raw);
  if (!parsed.success) throw new BadRequest('The parameters must be strings of at most 512 characters.');
  return parsed.data;
}

/** RFC 6749 §2.3.1: the id and secret are form-urlencoded, then joined by a colon and base64-encoded. */
function basicCredentials(header: string): { clientId: string; clientSecret: string } {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  // Another authentication method (Bearer, …) is not supported: invalid_client, per RFC 6749 §5.2.
  if (!match) throw new UnsupportedAuthentication('The Authorization header must be HTTP Basic with the client id and secret.');
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new BadRequest('The Basic credentials must be client_id:client_secret.');
  const unescape = (part: string) => {
    try {
      return decodeURIComponent(part.replace(/\+/g, ' '));
    } catch {
      throw new BadRequest('The Basic credentials are not form-urlencoded.');
    }
  };
  return { clientId: unescape(decoded.slice(0, colon)), clientSecret: unescape(decoded.slice(colon + 1)) };
}

async function exchange(request: Request): Promise<Response> {
  const header = request.headers.get('authorization');
  const basic = header !== null;
  let params: z.output<typeof tokenRequestSchema>;
  let credentials: { clientId: string; clientSecret: string } | null = null;
  try {
    params = await readParameters(request);
    if (basic) {
      credentials = basicCredentials(header);
      // One way of authenticating per request (RFC 6749 §2.3).
      if (params.client_id !== undefined || params.client_secret !== undefined) {
        throw new BadRequest('Send the client credentials either in the Authorization header or in the body, not both.');
      }
    }
  } catch (error) {
    if (error instanceof UnsupportedAuthentication) return oauthError('invalid_client', error.message, { basic: true });
    if (error instanceof BadRequest) return oauthError('invalid_request', error.message);
    if (error instanceof AppError && error.code === 'payload_too_large') return oauthError('invalid_request', error.message);
    throw error;
  }
  if (params.grant_type === undefined) return oauthError('invalid_request', 'grant_type is required.');
  if (params.grant_type !== 'client_credentials') return oauthError('unsupported_grant_type', 'Only the client_credentials grant is supported.');
  credentials ??=
    params.client_id !== undefined && params.client_secret !== undefined ? { clientId: params.client_id, clientSecret: params.client_secret } : null;

  const address = clientAddress(request.headers);
  const result = credentials
    ? await exchangeClientCredentials(db, serverEnv().keySecrets.digestSecret, { ...credentials, scope: params.scope })
    : ({ ok: false, error: 'invalid_client' } as const);
  if (!result.ok && result.error === 'invalid_client') {
    // Counted as the management API's token failures are: an address that keeps failing waits.
    const refusal = refused(apiFailureLimiter(), address, () => new AppError('unauthorized'));
    if (refusal.code === 'rate_limited') {
      return Response.json(
        { error: 'invalid_client', error_description: refusal.message },
        { status: 429, headers: { ...NO_STORE, 'Retry-After': String(refusal.options.retryAfter ?? 60) } },
      );
    }
    return oauthError('invalid_client', credentials ? 'Unknown client, or a wrong secret.' : 'Client authentication is required.', { basic });
  }
  if (!result.ok) {
    const unknown = (params.scope ?? '').split(' ').filter((scope) => scope && !(TOKEN_SCOPES as readonly string[]).includes(scope));
    return oauthError(
      'invalid_scope',
      unknown.length > 0
        ? `Unknown scope ${unknown.map((scope) => JSON.stringify(scope)).join(', ')}: scopes are ${TOKEN_SCOPES.join(', ')}.`
        : params.scope?.trim()
          ? "The scope asks for more than the client's scopes."
          : 'The scope is empty: leave it out for all of the client’s scopes.',
    );
  }
  return Response.json(
    { access_token: result.accessToken, token_type: 'Bearer', expires_in: result.expiresIn, scope: result.scopes.join(' ') },
    { headers: NO_STORE },
  );
}

export async function POST(request: Request): Promise<Response> {
  const started = performance.now();
  const id = requestId(request.headers.get('x-request-id'));
  let response: Response;
  try {
    response = await exchange(request);
  } catch (error) {
    logUnexpected('api POST /api/oauth/token', error);
    response = Response.json({ error: 'server_error', error_description: 'Internal server error' }, { status: 500, headers: NO_STORE });
  }
  return observeApiRequest(request, response, started, id);
}
