import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { FailureLimiter } from '../shared/http/failure-limiter';
import { authenticatePersonalAccessToken, type TokenContext } from '../tokens/personal-access-tokens';
import { scopeGrants, type RequiredScope } from '../tokens/scopes';
import { clientAddress } from '../shared/http/client-address';
import { AppError, logUnexpected } from '../shared/errors';
import { apiErrors, errorResponse } from './errors';

/** Failed token authentications per client address per minute, as for app keys. Per process. */
let limiter: FailureLimiter | undefined;

export type ApiContext = TokenContext & { request: Request; address: string };

async function authenticate(request: Request): Promise<ApiContext> {
  limiter ??= new FailureLimiter(serverEnv().apiAuthFailuresPerMinute);
  const address = clientAddress(request.headers);
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const token = match ? await authenticatePersonalAccessToken(db, serverEnv().keySecrets.digestSecret, match[1]!) : null;
  if (token) return { ...token, request, address };
  // Only failures are limited, as on the runtime: a current token is answered even from an
  // address over the limit, so someone else's failures never lock a valid token out.
  const wait = limiter.retryAfter(address, Date.now());
  if (wait > 0) throw apiErrors.tooManyFailures(wait);
  limiter.recordFailure(address, Date.now());
  throw header ? apiErrors.invalidToken() : apiErrors.missingAuthorization();
}

/**
 * Wraps a management API route handler: authenticates the Bearer token (401s, rate limit),
 * checks the scope (403), hands the handler a typed context, and turns errors into Spice-shaped
 * JSON answers (AppError code → status). Unexpected errors are a 500 with a generic message;
 * the log gets the error's name and code only, never a token or key.
 */
export function withToken<P extends Record<string, string>>(
  scope: RequiredScope,
  handler: (context: ApiContext, params: P) => Promise<Response>,
): (request: Request, route: { params: Promise<P> }) => Promise<Response> {
  return async (request, route) => {
    try {
      const context = await authenticate(request);
      if (!scopeGrants(context.scopes, scope)) throw apiErrors.insufficientScope(scope);
      return await handler(context, await route.params);
    } catch (error) {
      if (error instanceof AppError) return errorResponse(error);
      logUnexpected(`api ${request.method} ${new URL(request.url).pathname}`, error);
      return errorResponse(new AppError('internal', 'Internal server error'));
    }
  };
}
