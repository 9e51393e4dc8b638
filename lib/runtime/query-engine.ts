import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';

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

// Errors a door maps to its own wire (below): QueryError and QueryLimitError (HTTP 400, Flight
// INVALID_ARGUMENT), QueryTimeoutError (408, DEADLINE_EXCEEDED), and a full per-app queue (429
// with Retry-After, RESOURCE_EXHAUSTED). Their messages are safe to show: no server path or user.

/** A query the client got wrong or that the sandbox refuses: HTTP 400. The message is safe to show. */
export class QueryError extends Error {
  override name = 'QueryError';
}

/** A query that passed one of the runtime's limits (result bytes, memory, temp space): HTTP 400. */
export class QueryLimitError extends QueryError {
  override name = 'QueryLimitError';
}

/** A query that ran, or waited, past its time limit: HTTP 408. */
export class QueryTimeoutError extends Error {
  override name = 'QueryTimeoutError';
}

/** The app already runs and queues as many queries as it may: HTTP 429 with Retry-After. */
export class QueryQueueFullError extends Error {
  override name = 'QueryQueueFullError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The client went away (its signal aborted): nothing is sent. */
export class QueryCancelledError extends Error {
  override name = 'QueryCancelledError';
}
