import 'server-only';
import { db } from '../db';
import { serverEnv } from '../env';
import { authenticateOrRefuse, FailureLimiter } from '../shared/http/failure-limiter';
import { authenticatePersonalAccessToken, type TokenContext } from '../tokens/personal-access-tokens';
import { scopeGrants, type RequiredScope } from '../tokens/scopes';
import { authenticateOAuthAccessToken, type OAuthClientContext } from '../tokens/oauth-clients';
import { OAUTH_ACCESS_TOKEN_PREFIX, PERSONAL_ACCESS_TOKEN_PREFIX } from '../shared/keys/format';
import { clientAddress } from '../shared/http/client-address';
import { findAppAccess, findClientAppAccess, findClientOrgAccess, findOrgAccess, listOrgAccess, type AppAccess, type OrgAccess } from '../auth/access';
import { canonicalName } from '../names';
import { grant, type Granted, type Permission } from '../auth/permissions';
import { AppError, ERROR_MESSAGES, logUnexpected } from '../shared/errors';
import { apiErrors, errorResponse } from './errors';
import { idempotently } from './idempotency';
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
    return token && token !== 'expired' ? { ...token, oauthClientId: null } : token;
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
  let expired = false;
  const token = await authenticateOrRefuse(
    apiFailureLimiter(),
    address,
    async () => {
      const found = match ? await authenticateBearer(match[1]!) : null;
      // An expired token is a failure like any other (counted), answered 410 token_expired.
      expired = found === 'expired';
      return found === 'expired' ? null : found;
    },
    () => (expired ? apiErrors.tokenExpired() : header ? apiErrors.invalidToken() : apiErrors.missingAuthorization()),
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
 * with the proven access. A POST, PATCH or DELETE with an Idempotency-Key runs once per key of
 * the credential (lib/api/idempotency.ts). Errors become Spice-shaped JSON answers (AppError code → status); an
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
    try {
      const context = await authenticate(request);
      if (!scopeGrants(context.scopes, config.scope)) throw apiErrors.insufficientScope(config.scope);
      // Idempotency-Key is consulted only now, for the checked credential (lib/api/idempotency.ts).
      // A stored answer with a body (new keys, an invitation link) is replayed only to a caller who
      // may still act there: the access is checked again first, as for a new request.
      return await idempotently(request, credentialOf(context), {
        run: (readable) => act({ ...context, request: readable }, route),
        mayReplay: async () => {
          await authorize(context, await route.params);
        },
      });
    } catch (error) {
      return errorAnswer(request, error);
    }
  }

  /** The caller's access where the route acts, with its permission checked: 403 or 404 otherwise. */
  async function authorize(context: ApiContext, params: Record<string, string>): Promise<OrgAccess | undefined> {
    if (!spec.permission) return undefined;
    let access: OrgAccess;
    if ('app' in spec) {
      const appId = parseAppId(params[spec.app] ?? '');
      const found =
        context.oauthClientId !== null
          ? await findClientAppAccess(context.oauthClientId, { id: appId })
          : await findAppAccess(context.userId, { id: appId }, { tokenOrgId: context.orgId });
      access = found ?? (await refuseApp(context, appId));
    } else {
      access = await orgForRequest(context);
    }
    return grant(access, spec.permission);
  }

  async function act(context: ApiContext, route: { params: Promise<Record<string, string>> }): Promise<Response> {
    const params = await route.params;
    try {
      const access = await authorize(context, params);
      return await run(access ? { ...context, access } : context, params);
    } catch (error) {
      // Deleted since it was found (the lock found no row): answered as an unknown app.
      const appId = 'app' in spec && spec.app ? params[spec.app] : undefined;
      if (error instanceof AppError && error.code === 'not_found' && error.message === ERROR_MESSAGES.not_found && appId !== undefined) {
        return errorResponse(apiErrors.appNotFound(appId));
      }
      return errorAnswer(context.request, error);
    }
  }
}

/** An error as the API's answer: an AppError as its status and body, anything else a logged 500. */
function errorAnswer(request: Request, error: unknown): Response {
  if (error instanceof AppError) return errorResponse(error);
  logUnexpected(`api ${request.method} ${new URL(request.url).pathname}`, error);
  return errorResponse(new AppError('internal', 'Internal server error'));
}

/** The app id from the path: a positive integer, or 400 "Invalid app ID". */
export function parseAppId(raw: string): number {
  if (!/^\d{1,9}$/.test(raw) || Number(raw) === 0) throw apiErrors.invalidAppId();
  return Number(raw);
}

/**
 * The answer for an app the credential does not reach: 403 org_forbidden when the caller could
 * see it but for the credential's pin to another organization (the caller is a member there, so
 * nothing is revealed), else 404, as for an app that does not exist: app ids are sequential, and
 * another organization's apps are not the caller's to learn about.
 */
async function refuseApp(context: ApiContext, appId: number): Promise<never> {
  // An OAuth client belongs to one organization: it has no other one to be refused in.
  if (context.userId !== null && context.orgId && (await findAppAccess(context.userId, { id: appId }))) throw apiErrors.orgForbidden();
  throw apiErrors.appNotFound(appId);
}

/**
 * The organization a request acts in: the credential's own, or, for a token that covers all of
 * the user's organizations, the one named in X-Org-Name (only organizations the user is a member
 * of: 404 otherwise). A credential pinned to one organization that names another existing one gets
 * 403 org_forbidden (organization names are public: sign-up says when one is taken); a name that
 * does not exist, 404. A blank X-Org-Name is a 400, not the same as leaving it out. An OAuth
 * client acts in its own organization only.
 */
async function orgForRequest(context: ApiContext): Promise<OrgAccess> {
  const header = context.request.headers.get('x-org-name');
  const named = header?.trim();
  if (header !== null && !named) throw apiErrors.blankOrgName();
  if (!context.orgId && !named) throw apiErrors.orgRequired();
  const ref = named ? { name: named } : { id: context.orgId! };
  const access =
    context.oauthClientId !== null
      ? await findClientOrgAccess(context.oauthClientId, ref)
      : await findOrgAccess(context.userId, ref, { tokenOrgId: context.orgId });
  if (access) return access;
  if (context.orgId && named && (await db.organization.findUnique({ where: { name: canonicalName(named) }, select: { id: true } }))) {
    throw apiErrors.orgForbidden();
  }
  throw apiErrors.orgNotFound();
}

/** The organizations a credential reaches (GET /v1/orgs): its own when pinned to one (an OAuth client always is), else all of its user's. */
export async function orgsOf(context: ApiContext): Promise<OrgAccess[]> {
  if (context.oauthClientId !== null) {
    const access = await findClientOrgAccess(context.oauthClientId, { id: context.orgId });
    return access ? [access] : [];
  }
  if (!context.orgId) return listOrgAccess(context.userId);
  const access = await findOrgAccess(context.userId, { id: context.orgId }, { tokenOrgId: context.orgId });
  return access ? [access] : [];
}
