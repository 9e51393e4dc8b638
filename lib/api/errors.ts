import { AppError, ERROR_STATUS, SHARED_MESSAGES, type ErrorCode } from '../shared/errors';

/**
 * The typed `code` of every management API error body, beside its `error` message. Clients
 * branch on it; the message is for people. The OpenAPI document's Error schema lists them all.
 */
export const API_ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'token_expired',
  'forbidden',
  'insufficient_scope',
  'org_forbidden',
  'not_found',
  'method_not_allowed',
  'conflict',
  'idempotency_in_progress',
  'idempotency_key_reused',
  'payload_too_large',
  'rate_limited',
  'internal',
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** The `code` an AppError gets when it names none (the runtime's own codes never reach this API: `internal`). */
const DEFAULT_API_CODE: Record<ErrorCode, ApiErrorCode> = {
  invalid: 'invalid_request',
  unauthorized: 'unauthorized',
  reauth_required: 'unauthorized',
  forbidden: 'forbidden',
  not_found: 'not_found',
  conflict: 'conflict',
  unprocessable: 'invalid_request',
  payload_too_large: 'payload_too_large',
  rate_limited: 'rate_limited',
  internal: 'internal',
  timeout: 'internal',
  queue_full: 'rate_limited',
  cancelled: 'internal',
  result_too_large: 'internal',
  memory_limit: 'internal',
  temp_limit: 'internal',
  row_too_large: 'internal',
  unsupported: 'internal',
  unavailable: 'internal',
};

/** Codes whose status is not their AppError code's: an expired token is 410 Gone, as Spice answers. */
const API_CODE_STATUS: Partial<Record<string, number>> = { token_expired: 410 };

/**
 * The management API's errors, in the product's one vocabulary (AppError codes). Where we mirror
 * Spice's management API, its documented wording and status codes win: { "error": "...", "code": "..." },
 * with "details" on validation errors.
 */
export const apiErrors = {
  missingAuthorization: () => new AppError('unauthorized', 'Missing Authorization header'),
  invalidToken: () => new AppError('unauthorized', 'Invalid token'),
  tokenExpired: () => new AppError('unauthorized', 'Token expired', { apiCode: 'token_expired' }),
  insufficientScope: (required: string) => new AppError('forbidden', `Insufficient scope. Required: ${required}`, { apiCode: 'insufficient_scope' }),
  orgForbidden: () => new AppError('forbidden', 'This credential is limited to another organization', { apiCode: 'org_forbidden' }),
  invalidAppId: () => new AppError('invalid', 'Invalid app ID'),
  invalidJson: () => new AppError('invalid', 'Invalid JSON body'),
  invalidRequest: (details: unknown) => new AppError('invalid', 'Invalid request', { details }),
  bodyTooLarge: (limit: number) => new AppError('payload_too_large', SHARED_MESSAGES.bodyTooLarge(limit)),
  appNotFound: (id: string | number) => new AppError('not_found', `App with ID ${id} not found`),
  memberNotFound: () => new AppError('not_found', 'Member not found'),
  orgNotFound: () => new AppError('not_found', 'Organization not found'),
  invalidIdempotencyKey: () =>
    new AppError('invalid', 'Invalid Idempotency-Key header: 1 to 255 printable ASCII characters', {
      apiCode: 'invalid_request',
      details: { formErrors: [], fieldErrors: { 'Idempotency-Key': ['Must be 1 to 255 printable ASCII characters'] } },
    }),
  idempotencyKeyReused: () => new AppError('unprocessable', 'This Idempotency-Key was already used for another request', { apiCode: 'idempotency_key_reused' }),
  idempotencyInProgress: () =>
    new AppError('conflict', 'A request with this Idempotency-Key is still in progress: retry shortly', { apiCode: 'idempotency_in_progress', retryAfter: 1 }),
  orgRequired: () => new AppError('invalid', 'This token covers all your organizations: name one in the X-Org-Name header'),
  blankOrgName: () => new AppError('invalid', 'X-Org-Name is blank: name an organization, or leave the header out'),
};

/** An AppError as a Spice-shaped JSON answer: `{ error, code, details? }`. */
export function errorResponse(error: AppError): Response {
  const { fieldErrors, retryAfter } = error.options;
  const code = error.options.apiCode ?? DEFAULT_API_CODE[error.code];
  // A refusal shared with the portal's forms (a name taken) carries its field errors as the API's details.
  const details = error.options.details ?? (fieldErrors ? { formErrors: [], fieldErrors } : undefined);
  const body = { error: error.message, code, ...(details !== undefined ? { details } : {}) };
  const status = API_CODE_STATUS[code] ?? ERROR_STATUS[error.code];
  return Response.json(body, {
    status,
    headers: {
      'Cache-Control': 'no-store',
      ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}),
      // RFC 6750 §3: a 401 names the scheme the API takes.
      ...(status === 401 ? { 'WWW-Authenticate': 'Bearer realm="Spice Portal API"' } : {}),
    },
  });
}

/** The management API's answer to a path it does not have (app/v1/[[...rest]]): JSON like every other error, never a page. */
export function endpointNotFound(): Response {
  return Response.json(
    { error: 'No such endpoint: the management API is described at /v1/openapi.json', code: 'not_found' },
    { status: 404, headers: { 'Cache-Control': 'no-store' } },
  );
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Handlers for the methods a route does not take: a JSON 405 with `Allow`, instead of Next.js's
 * empty one. A route spreads the ones it lacks: `export const { PUT, DELETE } = methodsNotAllowed('GET, POST')`.
 */
export function methodsNotAllowed(allow: string): Record<Method, () => Response> {
  const refuse = () =>
    Response.json(
      { error: `Method not allowed: this endpoint takes ${allow}`, code: 'method_not_allowed' },
      { status: 405, headers: { Allow: allow, 'Cache-Control': 'no-store' } },
    );
  return { GET: refuse, POST: refuse, PUT: refuse, PATCH: refuse, DELETE: refuse };
}
