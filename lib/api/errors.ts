import { AppError, ERROR_STATUS, SHARED_MESSAGES } from '../shared/errors';

/**
 * The management API's errors, in the product's one vocabulary (AppError codes). Where we mirror
 * Spice's management API, its documented wording and bodies win: { "error": "..." }, with a
 * "code" on 403s and "details" on validation errors.
 */
export const apiErrors = {
  missingAuthorization: () => new AppError('unauthorized', 'Missing Authorization header'),
  invalidToken: () => new AppError('unauthorized', 'Invalid token'),
  insufficientScope: (required: string) => new AppError('forbidden', `Insufficient scope. Required: ${required}`, { apiCode: 'insufficient_scope' }),
  invalidAppId: () => new AppError('invalid', 'Invalid app ID'),
  invalidJson: () => new AppError('invalid', 'Invalid JSON body'),
  invalidRequest: (details: unknown) => new AppError('invalid', 'Invalid request', { details }),
  bodyTooLarge: (limit: number) => new AppError('payload_too_large', SHARED_MESSAGES.bodyTooLarge(limit)),
  appNotFound: (id: string | number) => new AppError('not_found', `App with ID ${id} not found`),
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
};

/** An AppError as a Spice-shaped JSON answer. */
export function errorResponse(error: AppError): Response {
  const { apiCode, details, retryAfter } = error.options;
  const body = { error: error.message, ...(apiCode ? { code: apiCode } : {}), ...(details !== undefined ? { details } : {}) };
  return Response.json(body, {
    status: ERROR_STATUS[error.code],
    headers: { 'Cache-Control': 'no-store', ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}) },
  });
}
