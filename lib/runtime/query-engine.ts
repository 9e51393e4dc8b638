import type { DuckDBDataChunk, DuckDBType } from '@duckdb/node-api';
import { AppError } from '../shared/errors';
import type { IpcMessage } from './flight/arrow-ipc';

/**
 * What each door of the runtime (HTTP /v1/sql, Arrow Flight) asks of the query engine. The
 * engine owns the sandbox (read-only, locked, allowed functions only), the scheduler (fair by
 * organization, then app) and the time and resource limits, and it encodes results in the door's
 * format where DuckDB runs (an engine worker process), so that only bytes cross to the serving
 * process; a door owns only its wire and its own byte budget.
 */

/** Bound parameters: positional ($1, $2, …) or named ($name). */
export type QueryParameters = readonly unknown[] | Readonly<Record<string, unknown>>;

/** Whose query: the app it reads, and the organization the scheduler shares slots by. */
export type QueryTarget = { appId: number; orgId: string };

export type QueryOptions = {
  /** Aborted when the client goes away (or its key is revoked): the statement is interrupted and its slot freed. */
  signal?: AbortSignal;
  /** When the query must have finished (epoch ms): waiting counts against it. Set by the scheduler. */
  deadline?: number;
  /**
   * Called once when DuckDB holds nothing more of the query: after its last call has settled (an
   * interrupted call lets go a moment after the caller got its error). Where the slot is freed.
   */
  onReleased?: () => void;
};

export type AnswerOptions = QueryOptions & { format: 'json' | 'csv'; maxRows: number; maxBytes: number };

/**
 * A whole HTTP answer, made before anything is sent (so an error is still a clean status): JSON (an
 * array of row objects) or CSV, at most maxRows rows and maxBytes bytes. Its bytes come as the
 * client takes them, a part (1 MiB at most) at a time, so the serving process never holds more
 * than a part of it.
 */
export type AnswerStream = {
  /** Bytes in all (the Content-Length). */
  length: number;
  truncated: boolean;
  parts: AsyncIterable<Uint8Array>;
  /** Gives up the answer (and its slot); safe to call more than once. */
  close(): void;
  /** Where DuckDB runs: settles once DuckDB holds nothing more of the query. */
  released?: Promise<void>;
};

/** A statement's result columns as an encapsulated Arrow IPC schema, and its parameters, without running it. */
export type Described = { names: string[]; schema: Uint8Array; parameterCount: number; parameterNames: string[] };

/** A running statement's Arrow IPC messages, made only as the client takes them (backpressure). */
export type ArrowStream = {
  schema: IpcMessage;
  /** The record batches' messages, a batch (about 1 MiB) at a time. */
  messages: AsyncIterable<IpcMessage[]>;
  /** Stops the statement (if still running) and frees its slot; safe to call more than once. */
  close(): void;
  /** Where DuckDB runs: settles once DuckDB holds nothing more of the query. */
  released?: Promise<void>;
};

export interface QueryEngine {
  /** Runs one read-only statement for the app and answers it whole, as JSON or CSV. */
  answer(target: QueryTarget, sql: string, parameters: QueryParameters, options: AnswerOptions): Promise<AnswerStream>;
  /** Runs one read-only statement and streams its result as Arrow IPC messages. */
  arrow(target: QueryTarget, sql: string, parameters: QueryParameters, options?: QueryOptions): Promise<ArrowStream>;
  /** The result schema and parameters of a statement, without running it. */
  describe(target: QueryTarget, sql: string, options?: QueryOptions): Promise<Described>;
}

export type QueryColumns = { names: string[]; types: DuckDBType[] };

/** A running statement's DuckDB chunks, read one at a time (inside an engine worker). */
export type QueryStream = QueryColumns & {
  /** Each chunk is fetched from DuckDB only when the previous one has been consumed. */
  chunks: AsyncIterable<DuckDBDataChunk>;
  /** Stops the statement (if still running); safe to call more than once. */
  close(): void;
};

/** The DuckDB engine itself, where it runs: chunks, not bytes. */
export interface ChunkEngine {
  stream(appId: number, sql: string, parameters: QueryParameters, options?: QueryOptions): Promise<QueryStream>;
  describe(appId: number, sql: string, options?: QueryOptions): Promise<QueryColumns & { parameterCount: number; parameterNames: string[] }>;
}

/** The longest SQL text the runtime takes (64 KiB), on both doors. */
export const MAX_SQL_BYTES = 64 * 1024;

/**
 * SQL from a client, refused past MAX_SQL_BYTES before anything keeps it (the scheduler's queue,
 * the guard's verdict cache and the statement cache are all by text).
 */
export function checkedSql<T extends string | Uint8Array>(sql: T): T {
  const bytes = typeof sql === 'string' ? Buffer.byteLength(sql) : sql.byteLength;
  if (bytes > MAX_SQL_BYTES) throw queryErrors.invalid(`The query is longer than ${MAX_SQL_BYTES} bytes.`);
  return sql;
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
  /** The organization already has as many queries waiting as it may. */
  queueFull: (message: string, retryAfter: number) => new AppError('queue_full', message, { retryAfter }),
  /** The client went away (its signal aborted): nothing is sent. */
  cancelled: () => new AppError('cancelled', 'The client went away.'),
  /** A query that passed one of the runtime's limits, named in the message. */
  limit: (code: 'result_too_large' | 'memory_limit' | 'temp_limit', message: string) => new AppError(code, message),
  /** The engine could not finish the query: its worker passed its memory limit or stopped. */
  unavailable: (message: string, retryAfter?: number) => new AppError('unavailable', message, retryAfter === undefined ? {} : { retryAfter }),
};
