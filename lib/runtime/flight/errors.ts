import { status, type StatusObject } from '@grpc/grpc-js';
import { SHARED_MESSAGES } from '../../shared/errors';
import { QueryCancelledError, QueryError, QueryQueueFullError, QueryTimeoutError } from '../query-engine';
import { OversizedRowError } from './arrow';
import { ParameterError } from './tickets';

/** An answer for the client: a gRPC status and a message that is safe to show. */
export class FlightError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
  }
}

export const unauthorized = () => new FlightError(status.UNAUTHENTICATED, SHARED_MESSAGES.unauthorized);

/**
 * The gRPC status for an error, mapped as the HTTP door maps the same errors: the client's SQL
 * or input → INVALID_ARGUMENT (400) with the same message; the time limit → DEADLINE_EXCEEDED
 * (408); a full queue or a row too big for one message → RESOURCE_EXHAUSTED (429). Anything else is
 * ours: INTERNAL with a generic message, and `log` gets only the error's name.
 */
export function toStatus(error: unknown, log: (message: string) => void): Partial<StatusObject> {
  if (error instanceof FlightError) return { code: error.code, details: error.message };
  if (error instanceof QueryTimeoutError) return { code: status.DEADLINE_EXCEEDED, details: error.message };
  // QueryLimitError is a QueryError: a limit the query passed (result bytes, memory, temp space).
  if (error instanceof QueryError || error instanceof ParameterError) return { code: status.INVALID_ARGUMENT, details: error.message };
  if (error instanceof OversizedRowError) return { code: status.RESOURCE_EXHAUSTED, details: error.message };
  if (error instanceof QueryQueueFullError) return { code: status.RESOURCE_EXHAUSTED, details: error.message };
  if (error instanceof QueryCancelledError) return { code: status.CANCELLED, details: 'Cancelled' };
  log(`flight: internal error (${error instanceof Error ? error.constructor.name : typeof error})`);
  return { code: status.INTERNAL, details: 'Internal error' };
}
