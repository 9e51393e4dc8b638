import { Metadata, status, type StatusObject } from '@grpc/grpc-js';
import { AppError, type ErrorCode } from '../../shared/errors';

/**
 * The gRPC status of each error code: the Flight door's one mapping of the product's error
 * vocabulary (lib/shared/errors.ts), as the HTTP door maps the same codes to HTTP statuses. The
 * client's SQL or input → INVALID_ARGUMENT (HTTP 400) with the same message, as are the query's
 * limits; the time limit → DEADLINE_EXCEEDED (408); a full queue, too many failures, a request
 * or a row too big for a message → RESOURCE_EXHAUSTED (429, 413); an engine worker that passed
 * its memory limit or stopped → UNAVAILABLE (503).
 */
export const GRPC_STATUS: Record<ErrorCode, status> = {
  invalid: status.INVALID_ARGUMENT,
  unauthorized: status.UNAUTHENTICATED,
  // Never raised on the data plane (portal actions only); mapped as its HTTP 401.
  reauth_required: status.UNAUTHENTICATED,
  forbidden: status.PERMISSION_DENIED,
  not_found: status.NOT_FOUND,
  conflict: status.ALREADY_EXISTS,
  payload_too_large: status.RESOURCE_EXHAUSTED,
  // Never raised on the data plane (management API only).
  unprocessable: status.FAILED_PRECONDITION,
  rate_limited: status.RESOURCE_EXHAUSTED,
  internal: status.INTERNAL,
  timeout: status.DEADLINE_EXCEEDED,
  queue_full: status.RESOURCE_EXHAUSTED,
  cancelled: status.CANCELLED,
  result_too_large: status.INVALID_ARGUMENT,
  memory_limit: status.INVALID_ARGUMENT,
  temp_limit: status.INVALID_ARGUMENT,
  row_too_large: status.RESOURCE_EXHAUSTED,
  unsupported: status.UNIMPLEMENTED,
  unavailable: status.UNAVAILABLE,
};

/** The error code behind a status's (empty) trailing metadata, for the call's metrics and log line (observe.ts). */
const codes = new WeakMap<Metadata, ErrorCode>();
export const errorCodeOf = (metadata: Metadata | null | undefined): ErrorCode | undefined => (metadata ? codes.get(metadata) : undefined);

/** Empty trailers that remember the error code: grpc-js hands them on to the interceptors as they are. */
function trailersFor(code: ErrorCode): Metadata {
  const metadata = new Metadata();
  codes.set(metadata, code);
  return metadata;
}

/**
 * The gRPC status for an error: an AppError by its code, with its message (safe to show). Anything
 * else is ours: INTERNAL with a generic message, and `log` gets only the error's name.
 */
export function toStatus(error: unknown, log: (message: string) => void): Partial<StatusObject> {
  if (error instanceof AppError) return { code: GRPC_STATUS[error.code], details: error.message, metadata: trailersFor(error.code) };
  log(`flight: internal error (${error instanceof Error ? error.constructor.name : typeof error})`);
  return { code: status.INTERNAL, details: 'Internal error', metadata: trailersFor('internal') };
}
