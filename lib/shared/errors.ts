/**
 * One error vocabulary for the whole product. Code that refuses something throws an AppError
 * with a code; each surface maps it to its own wire: server actions to `{ ok: false, error }`,
 * the management API to Spice's status and `{ "error": ... }` body, the runtime to its status
 * and body. Pure module: both planes may import it.
 */
export const ERROR_CODES = [
  'invalid',
  'unauthorized',
  // Signed in, but the last authentication is older than the step-up window: authenticate again
  // (lib/auth/step-up.ts). Server actions only: a management API token is its own credential.
  'reauth_required',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  // Well-formed, but refused as it stands: an Idempotency-Key reused for another request.
  'unprocessable',
  'rate_limited',
  'internal',
  // The runtime's: a query past its time limit, an organization's queue full, a client gone away, a
  // query past one of its limits (result bytes, memory, temp space), a row too large for one
  // Flight message, and a protocol feature the runtime does not offer.
  'timeout',
  'queue_full',
  'cancelled',
  'result_too_large',
  'memory_limit',
  'temp_limit',
  'row_too_large',
  'unsupported',
  // An engine worker that passed its memory limit or stopped: the query was not finished.
  'unavailable',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * HTTP status for each code (the management API and the runtime's /v1/sql). The runtime's limits
 * answer 400 with a message naming the limit, as Spice's runtime does for a failed query;
 * `cancelled` is never sent (the client is gone: the connection is closed). The Flight door maps
 * the same codes to gRPC status once (lib/runtime/flight/errors.ts).
 */
export const ERROR_STATUS: Record<ErrorCode, number> = {
  invalid: 400,
  unauthorized: 401,
  // 401, as OAuth's step-up challenge (RFC 9470) answers: the caller is known, but must
  // authenticate again, and doing so is the remedy (403 says that re-authenticating would not help).
  reauth_required: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  timeout: 408,
  queue_full: 429,
  cancelled: 499,
  result_too_large: 400,
  memory_limit: 400,
  temp_limit: 400,
  row_too_large: 400,
  unsupported: 501,
  unavailable: 503,
};

/** The default wording of each code, where nothing more specific is said. */
export const ERROR_MESSAGES: Record<ErrorCode, string> = {
  invalid: 'Invalid input.',
  unauthorized: 'You are signed out. Sign in again.',
  reauth_required: 'Confirm it’s you to continue: this needs a recent sign-in.',
  forbidden: 'You do not have permission to do this.',
  not_found: 'Not found.',
  conflict: 'This already exists.',
  payload_too_large: 'The request is too large.',
  unprocessable: 'The request cannot be processed as it stands.',
  rate_limited: 'Too many attempts. Try again later.',
  internal: 'Something went wrong and nothing was changed. Try again.',
  timeout: 'The query ran past its time limit and was stopped.',
  queue_full: 'Too many queries of this organization are waiting. Try again shortly.',
  cancelled: 'Cancelled',
  result_too_large: 'The result is larger than the runtime sends.',
  memory_limit: 'The query needed more memory than this app may use.',
  temp_limit: 'The query needed more temporary disk space than this app may use.',
  row_too_large: 'A row of the result is too large to send.',
  unsupported: 'This is not supported: the runtime only reads.',
  unavailable: 'The query engine could not finish the query. Try again.',
};

/** Wording shared by both planes, so that the portal and the runtime say the same thing. */
export const SHARED_MESSAGES = {
  /** Spice's runtime answer to every missing, malformed, unknown or replaced key (HTTP and Flight alike). */
  unauthorized: 'Unauthorized',
  bodyTooLarge: (limit: number) => `Request body is larger than ${limit} bytes.`,
  tooManyFailures: 'Too many failed authentications. Try again later.',
} as const;

export type AppErrorOptions = {
  /** Per-field messages, for forms. */
  fieldErrors?: Record<string, string[]>;
  /** Machine-readable sub-code for API clients (Spice's `insufficient_scope`, `forbidden`). */
  apiCode?: string;
  /** Structured details for API clients (validation errors). */
  details?: unknown;
  /** Seconds to wait, for rate_limited. */
  retryAfter?: number;
};

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly options: AppErrorOptions;

  constructor(code: ErrorCode, message: string = ERROR_MESSAGES[code], options: AppErrorOptions = {}) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.options = options;
  }
}

/**
 * The one log line for an unexpected error: where, the error's name and its code (a Prisma or
 * driver code), never its message (which can hold input, keys or paths) nor its stack.
 */
export function logUnexpected(where: string, error: unknown): void {
  let described = 'unknown error';
  if (error instanceof Error) {
    const code = 'code' in error && (typeof error.code === 'string' || typeof error.code === 'number') ? ` ${error.code}` : '';
    described = `${error.name}${code}`;
  }
  console.error(`[${where}] failed: ${described}`);
}
