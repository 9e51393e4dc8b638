import type { ErrorCode } from '../../shared/errors';
import type { IpcMessage } from '../flight/arrow-ipc';
import type { Described, QueryParameters } from '../query-engine';

/**
 * The messages between the serving process and an engine worker, over the child process's IPC
 * channel (Node's "advanced" serialization: typed arrays cross as bytes). Every request has an
 * id; the worker answers each with exactly one final message (`result`, `end` or `error`), which
 * is when the serving process gives the query's slot back.
 */
export type ToWorker =
  | {
      t: 'answer';
      id: number;
      appId: number;
      sql: string;
      parameters: QueryParameters;
      deadline: number;
      format: 'json' | 'csv';
      maxRows: number;
      maxBytes: number;
    }
  | { t: 'arrow'; id: number; appId: number; sql: string; parameters: QueryParameters; deadline: number }
  | { t: 'describe'; id: number; appId: number; sql: string; deadline: number }
  /** The next batch of an Arrow stream: the worker reads DuckDB only when asked (backpressure). */
  | { t: 'more'; id: number }
  | { t: 'cancel'; id: number }
  /** Close and delete the databases of apps deleted in the portal. */
  | { t: 'remove'; id: number; appIds: number[] };

export type StreamHead = { schema: IpcMessage } | { length: number; truncated: boolean };

export type WorkerError = { code: ErrorCode; message: string; retryAfter?: number };

export type FromWorker =
  | { t: 'ready' }
  | { t: 'result'; id: number; value: Described | null }
  /** A stream began: an Arrow result's schema message, or an HTTP answer's length. */
  | { t: 'start'; id: number; head: StreamHead }
  /** The next part: a record batch's IPC messages, or up to 1 MiB of an HTTP answer. */
  | { t: 'batch'; id: number; part: IpcMessage[] | Uint8Array }
  | { t: 'end'; id: number }
  | { t: 'error'; id: number; error: WorkerError };
