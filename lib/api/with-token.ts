import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { authenticateOrRefuse, FailureLimiter } from '../shared/http/failure-limiter';
import { authenticatePersonalAccessToken, type TokenContext } from '../tokens/personal-access-tokens';
import { scopeGrants, type RequiredScope } from '../tokens/scopes';
import { authenticateOAuthAccessToken, type OAuthClientContext } from '../tokens/oauth-clients';
import { OAUTH_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX } from '../shared/keys/format';
import { clientAddress } from '../shared/http/client-address';
import { findAppAccess, findClientAppAccess, findClientOrgAccess, findOrgAccess, type AppAccess, type OrgAccess } from '../auth/access';
import { grant, type Granted, type Permission } from '../auth/permissions';
import { AppError, ERROR_MESSAGES, logUnexpected } from '../shared/errors';
import { apiErrors, errorResponse } from './errors';
import { observability, routePattern } from '../observability';
import { requestId } from '../shared/logger';
import type { ChangeOrigin } from '../audit';

/** Failed token (and OAuth client secret) authentications per client address per minute, as for app keys. Per process. */
let limiter: FailureLimiter | undefined;

/** The caller of a management API request: a user's personal access token, or an OAuth client's access token (no user). */
export type ApiCredential = (TokenContext & { oauthClientId: null }) | OAuthClientContext;
export type ApiContext = ApiCredential & { request: Request; address: string };

/** Who made a change through the API and from where, for audit rows, notifications and webhooks. */
export function originOf(context: ApiContext): ChangeOrigin {
  return {
    actorId: context.userId,
    tokenId: context.tokenId,
    oauthClientId: context.oauthClientId,
    ip: context.address,
    userAgent: context.request.headers.get('user-agent'),
  };
}

/** The credential a request came with, as a stable string: what idempotency keys are scoped to. */
export function credentialOf(context: ApiContext): string {
  return context.oauthClientId !== null ? `oauth_client:${context.oauthClientId}` : `token:${context.tokenId}`;
}

/**
 * What a Bearer value is, by its prefix alone (no database lookup for a malformed value): a
 * personal access token (spt_), an OAuth access token (spo_), or neither; then its caller,
 * `'expired'` for a token that was valid and has expired, or null.
 */
export async function authenticateBearer(value: string): Promise<ApiCredential | 'expired' | null> {
  const { digestSecret } = serverEnv().keySecrets;
  if (value.startsWith(OAUTH_ACCESS_TOKEN_PREFIX)) return authenticateOAuthAccessToken(db, digestSecret, value);
  if (value.startsWith(PERSONAL_ACCESS_TOKEN_PREFIX)) {
    const token = await authenticatePersonalAccessToken(db, digestSecret, value);
    return token ? { ...token, oauthClientId: null } : null;
  }
  return null;
}

/** Counts and logs a request of the management API's doors once (withToken, the OAuth token endpoint): the route's pattern (ids out), the status, and the app when the path named one. */
export function observeApiRequest(request: Request, response: Response, started: number, id: string): Response {
  const pattern = routePattern(new URL(request.url).pathname);
  const { api, logger } = observability();
  api.inc({ method: request.method, route: pattern, status: String(response.status) });
  const appMatch = /\/apps\/(\d+)/.exec(new URL(request.url).pathname);
  logger.info(
    {
      requestId: id,
      door: 'api',
      method: request.method,
      route: pattern,
      status: response.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
      ...(appMatch ? { appId: Number(appMatch[1]) } : {}),
    },
    'request',
  );
  try {
    response.headers.set('X-Request-Id', id);
  } catch {
    // A response with immutable headers goes as it is.
  }
  return response;
}

/** The one failure limiter of the management API's credentials (Bearer tokens, OAuth client secrets): per client address, per process. */
export function apiFailureLimiter(): FailureLimiter {
  limiter ??= new FailureLimiter(serverEnv().apiAuthFailuresPerMinute);
  return limiter;
}

/** The token's context, or the one gate's answers (shared with the runtime): 401, then 429 for an address that keeps failing. */
async function authenticate(request: Request): Promise<ApiContext> {
  const header = request.headers.get('authorization');
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const address = clientAddress(request.headers);
  const token = await authenticateOrRefuse(
    apiFailureLimiter(),
    address,
    async () => {
      const found = match ? await authenticateBearer(match[1]!) : null;
      // An expired token is refused as an invalid one (401) until the API answers expiry on its own.
      return found === 'expired' ? null : found;
    },
    () => (header ? apiErrors.invalidToken() : apiErrors.missingAuthorization()),
  );
  return { ...token, request, address };
}

/** Where a route finds the app or organization it acts on, and the permission it needs there. */
type AccessSpec = { permission: Permission; app: string } | { permission: Permission; org: 'request' } | { permission?: never };
type ContextFor<C> = C extends { permission: infer Q extends Permission; app: unknown }
  ? ApiContext & { access: Granted<AppAccess, Q> }
  : C extends { permission: infer Q extends Permission; org: unknown }
    ? ApiContext & { access: Granted<OrgAccess, Q> }
    : ApiContext;

/**
 * Wraps a management API route handler: authenticates the Bearer token (401s, rate limit),
 * checks the scope (403), and, for a route on an app (`app`: the path parameter of its id) or on the
 * request's organization (`org: 'request'`), loads the caller's access there and checks the
 * permission once (403 with the permission's wording), then hands the handler a typed context
 * with the proven access. Errors become Spice-shaped JSON answers (AppError code → status); an
 * app that is gone by the time the handler acts is answered as unknown. Unexpected errors are a
 * 500 with a generic message; the log gets the error's name and code only, never a token or key.
 */
export function withToken<const C extends AccessSpec>(
  config: { scope: RequiredScope } & C,
  handler: (context: ContextFor<C>, params: Record<string, string>) => Promise<Response>,
): (request: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response> {
  const spec = config as AccessSpec;
  const run = handler as (context: ApiContext & { access?: OrgAccess }, params: Record<string, string>) => Promise<Response>;
  return async (request, route) => {
    const started = performance.now();
    const id = requestId(request.headers.get('x-request-id'));
    return observeApiRequest(request, await answer(request, route), started, id);
  };

  async function answer(request: Request, route: { params: Promise<Record<string, string>> }): Promise<Response> {
    let appId: number | undefined;
    try {
      const context = await authenticate(request);
      if (!scopeGrants(context.scopes, config.scope)) throw apiErrors.insufficientScope(config.scope);
      const params = await route.params;
      if (!spec.permission) return await run(context, params);
      let access: OrgAccess;
      if ('app' in spec) {
        appId = parseAppId(params[spec.app] ?? '');
        const found =
          context.oauthClientId !== null
            ? await findClientAppAccess(context.oauthClientId, { id: appId })
            : await findAppAccess(context.userId, { id: appId }, { tokenOrgId: context.orgId });
        access = found ?? throwError(apiErrors.appNotFound(appId));
      } else {
        access = await orgForRequest(context);
      }
      return await run({ ...context, access: grant(access, spec.permission) }, params);
    } catch (error) {
      // Deleted since it was found (the lock found no row): answered as an unknown app.
      if (error instanceof AppError && error.code === 'not_found' && error.message === ERROR_MESSAGES.not_found && appId !== undefined) {
        return errorResponse(apiErrors.appNotFound(appId));
      }
      if (error instanceof AppError) return errorResponse(error);
      logUnexpected(`api ${request.method} ${new URL(request.url).pathname}`, error);
      return errorResponse(new AppError('internal', 'Internal server error'));
    }
  }
}

function throwError(error: AppError): never {
  throw error;
}

/** The app id from the path: a positive integer, or 400 "Invalid app ID". */
export function parseAppId(raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw apiErrors.invalidAppId();
  return Number(raw);
}

/**
 * The organization a request acts in: the token's own, or, for a token that covers all of the
 * user's organizations, the one named in X-Org-Name. Only organizations the user is a member of
 * (an OAuth client: its own).
 */
async function orgForRequest(context: ApiContext): Promise<OrgAccess> {
  const named = context.request.headers.get('x-org-name')?.trim();
  if (!context.orgId && !named) throw apiErrors.orgRequired();
  const ref = named ? { name: named } : { id: context.orgId! };
  // An OAuth client acts in its own organization only; X-Org-Name naming another finds nothing.
  const access =
    context.oauthClientId !== null
      ? await findClientOrgAccess(context.oauthClientId, ref)
      : await findOrgAccess(context.userId, ref, { tokenOrgId: context.orgId });
  if (!access) throw apiErrors.orgNotFound();
  return access;
}
