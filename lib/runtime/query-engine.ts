import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { AppError } from '../shared/errors';

/**
 * What each door of the runtime (HTTP /v1/sql, Arrow Flight) asks of the query engine. The
 * engine owns the sandbox (read-only, locked, allowed functions only), the fairness rules (query
 * slots shared by organization, then app: lib/runtime/scheduler.ts) and the time and resource
 * limits; a door owns only its wire format and its own byte budget.
 */

/** Bound parameters: positional ($1, $2, …) or named ($name). */
export type QueryParameters = readonly unknown[] | Readonly<Record<string, unknown>>;

export type QueryColumns = { names: string[]; types: DuckDBType[] };

/** A running statement's result, read chunk by chunk as the client takes it (backpressure). */
export type QueryStream = QueryColumns & {
  /** Each chunk is fetched from DuckDB only when the previous one has been consumed. */
  chunks: AsyncIterable<DuckDBDataChunk>;
  /** Stops the statement (if still running) and frees its slot; safe to call more than once. */
  close(): void;
};

export type QueryOptions = {
  /** Aborted when the client goes away: the statement is interrupted and its slot freed. */
  signal?: AbortSignal;
};

/**
 * Whose query it is: the app whose database it reads, and the app's organization (from the key
 * lookup), by which the query slots are shared first.
 */
export type QueryTarget = { appId: number; orgId: string };

export interface QueryEngine {
  /** Runs one read-only statement for the app under the runtime's rules and streams its result. */
  stream(target: QueryTarget, sql: string, parameters: QueryParameters, options?: QueryOptions): Promise<QueryStream>;
  /** The result columns and parameter count of a statement, without running it. */
  describe(target: QueryTarget, sql: string, options?: QueryOptions): Promise<QueryColumns & { parameterCount: number; parameterNames: string[] }>;
}

/**
 * The engine's errors, in the product's one vocabulary (AppError codes, lib/shared/errors.ts):
 * each door maps a code once, HTTP to its status and Flight to its gRPC status. The messages are
 * safe to show: no server path or user.
 */
export const queryErrors = {
  /** A query the client got wrong, or that the sandbox refuses. */
  invalid: (message: string) => new AppError('invalid', message),
  /** A query that ran, or waited, past its time limit. */
  timeout: (message: string) => new AppError('timeout', message),
  /** The organization already has as many queries waiting as it may (count or bytes of SQL). */
  queueFull: (message: string, retryAfter: number) => new AppError('queue_full', message, { retryAfter }),
  /** The client went away (its signal aborted): nothing is sent. */
  cancelled: () => new AppError('cancelled', 'The client went away.'),
  /** A query that passed one of the runtime's limits, named in the message. */
  limit: (code: 'result_too_large' | 'memory_limit' | 'temp_limit', message: string) => new AppError(code, message),
};
