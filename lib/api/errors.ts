/**
 * The management API's errors. Where we mirror Spice's management API, its documented status
 * codes and bodies win: { "error": "..." }, with a "code" on 403s and "details" on validation.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error: string; code?: string; details?: unknown },
    readonly headers: Record<string, string> = {},
  ) {
    super(body.error);
  }
}

export const apiErrors = {
  missingAuthorization: () => new ApiError(401, { error: 'Missing Authorization header' }),
  invalidToken: () => new ApiError(401, { error: 'Invalid token' }),
  tooManyFailures: (retryAfter: number) =>
    new ApiError(429, { error: 'Too many failed authentications. Try again later.' }, { 'Retry-After': String(retryAfter) }),
  insufficientScope: (required: string) =>
    new ApiError(403, { error: `Insufficient scope. Required: ${required}`, code: 'insufficient_scope' }),
  forbidden: (message: string) => new ApiError(403, { error: message, code: 'forbidden' }),
  invalidAppId: () => new ApiError(400, { error: 'Invalid app ID' }),
  invalidJson: () => new ApiError(400, { error: 'Invalid JSON body' }),
  invalidRequest: (details: unknown) => new ApiError(400, { error: 'Invalid request', details }),
  bodyTooLarge: (limit: number) => new ApiError(413, { error: `Request body is larger than ${limit} bytes` }),
  appNotFound: (id: string | number) => new ApiError(404, { error: `App with ID ${id} not found` }),
  orgNotFound: () => new ApiError(404, { error: 'Organization not found' }),
  orgRequired: () => new ApiError(400, { error: 'This token covers all your organizations: name one in the X-Org-Name header' }),
};

export function errorResponse(error: ApiError): Response {
  return Response.json(error.body, { status: error.status, headers: { 'Cache-Control': 'no-store', ...error.headers } });
}
