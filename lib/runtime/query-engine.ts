import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { AppError } from '../shared/errors';

/**
 * What each door of the runtime (HTTP /v1/sql, Arrow Flight) asks of the query engine. The
 * engine owns the sandbox (read-only, locked, allowed functions only), the fairness rules (per-app
 * concurrency and queue, process-wide threads) and the time and resource limits; a door owns only
 * its wire format and its own byte budget.
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

export interface QueryEngine {
  /** Runs one read-only statement for the app under the runtime's rules and streams its result. */
  stream(appId: number, sql: string, parameters: QueryParameters, options?: QueryOptions): Promise<QueryStream>;
  /** The result columns and parameter count of a statement, without running it. */
  describe(appId: number, sql: string, options?: QueryOptions): Promise<QueryColumns & { parameterCount: number; parameterNames: string[] }>;
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
  /** The app already runs and queues as many queries as it may. */
  queueFull: (message: string, retryAfter: number) => new AppError('queue_full', message, { retryAfter }),
  /** The client went away (its signal aborted): nothing is sent. */
  cancelled: () => new AppError('cancelled', 'The client went away.'),
  /** A query that passed one of the runtime's limits, named in the message. */
  limit: (code: 'result_too_large' | 'memory_limit' | 'temp_limit', message: string) => new AppError(code, message),
};
