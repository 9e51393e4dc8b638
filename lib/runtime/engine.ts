import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBDataChunk, type DuckDBResult, type DuckDBValue } from '@duckdb/node-api';
import { preparedFor, type AppDatabases, type OpenDatabase, type PooledConnection } from './app-databases';
import { sizeInBytes, type RuntimeConfig } from './config';
import { AppError } from '../shared/errors';
import { checkedSql, queryErrors, type ChunkEngine, type QueryColumns, type QueryOptions, type QueryParameters, type QueryStream } from './query-engine';
import { SqlGuard } from './sql-guard';

export type EngineConfig = Pick<RuntimeConfig, 'queryTimeoutMs' | 'duckdb'> & {
  /** The OS memory limit of the process DuckDB runs in, named when an allocation fails under it. */
  workerMemoryLimit?: string;
};

const READ_ONLY_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);
/** How often a running query's temp folder is measured against the temp limit. */
const TEMP_CHECK_MS = 200;
/** Guard verdicts kept by SQL text: a repeated query is not parsed again. */
const CHECKED_CACHE = 512;

function folderBytes(dir: string): number {
  let total = 0;
  try {
    for (const name of fs.readdirSync(dir)) {
      try {
        total += fs.statSync(path.join(dir, name)).blocks * 512;
      } catch {
        // Removed meanwhile.
      }
    }
  } catch {
    // No folder: nothing written.
  }
  return total;
}

const USER = (() => {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
})();

/**
 * A DuckDB error message as a client may see it: no absolute server path, no user name, no hint
 * that names other catalogues or schemas, no tuning advice about settings the client cannot change.
 */
export function scrubMessage(message: string): string {
  let text = message.split(/\n\s*\n\s*(?:Possible solutions|See also)/)[0]!;
  text = text.replace(/\s*Did you mean "[^"]*\.[^"]*"\??/g, '');
  text = text.replace(/(?<![\w.])\/(?:[\w.@+~-]+\/)+[\w.@+~-]*/g, '<path>');
  const home = os.homedir();
  if (home && home !== '/') text = text.split(home).join('<path>');
  if (USER.length >= 2) text = text.replace(new RegExp(`\\b${USER.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), '<user>');
  return text.trim();
}

function toDuckDBValues(parameters: QueryParameters): DuckDBValue[] | Record<string, DuckDBValue> {
  const check = (value: unknown): DuckDBValue => {
    if (value === null || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'bigint') return value;
    throw queryErrors.invalid('Parameters must be strings, numbers, booleans or nulls.');
  };
  if (Array.isArray(parameters)) return parameters.map(check);
  return Object.fromEntries(Object.entries(parameters).map(([name, value]) => [name, check(value)]));
}

function parameterCountGiven(parameters: QueryParameters): number {
  return Array.isArray(parameters) ? parameters.length : Object.keys(parameters).length;
}

/**
 * The runtime's DuckDB engine, as it runs inside an engine worker process: the sandbox (one
 * read-only statement calling only allowed functions, on the app's locked database) and the
 * limits (time, including time spent waiting for a slot, enforced by interrupting DuckDB; memory
 * and temp space per app). Results stream chunk by chunk; the caller decides how many it takes.
 * The scheduler that decides when a query may start runs in the serving process (scheduler.ts).
 */
export class DuckDBQueryEngine implements ChunkEngine {
  private readonly parser: Promise<{ instance: DuckDBInstance; idle: DuckDBConnection[]; guard: SqlGuard }>;
  private readonly checked = new Map<string, true>();
  private readonly tempLimitBytes: number;

  constructor(
    private readonly databases: AppDatabases,
    private readonly config: EngineConfig,
  ) {
    this.tempLimitBytes = sizeInBytes(config.duckdb.tempLimit);
    this.parser = (async () => {
      // A private in-memory database that holds nothing: it only parses.
      const instance = await DuckDBInstance.create(':memory:', {
        threads: '1',
        memory_limit: '64MB',
        enable_external_access: 'false',
        autoload_known_extensions: 'false',
        autoinstall_known_extensions: 'false',
        lock_configuration: 'true',
      });
      const connection = await instance.connect();
      return { instance, idle: [connection], guard: await SqlGuard.create(connection) };
    })();
    this.parser.catch(() => undefined);
  }

  /** Throws an `invalid` AppError unless the statement is allowed for this app's database. */
  private async check(sql: string, database: OpenDatabase): Promise<void> {
    // Long texts are refused before anything keeps them (the verdict and statement caches are by text).
    checkedSql(sql);
    const key = `${[...database.tables].join(',')}\u0000${sql}`;
    if (this.checked.has(key)) return;
    const parser = await this.parser;
    const connection = parser.idle.pop() ?? (await parser.instance.connect());
    try {
      await parser.guard.check(connection, sql, database.tables);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw queryErrors.invalid(scrubMessage(error instanceof Error ? error.message : String(error)));
    } finally {
      if (parser.idle.length < 4) parser.idle.push(connection);
      else connection.closeSync();
    }
    this.checked.set(key, true);
    if (this.checked.size > CHECKED_CACHE) this.checked.delete(this.checked.keys().next().value as string);
  }

  async describe(appId: number, sql: string, options: QueryOptions = {}): Promise<QueryColumns & { parameterCount: number; parameterNames: string[] }> {
    const run = await this.begin(appId, sql, options);
    try {
      const prepared = await run.prepare();
      const names: string[] = [];
      const types = [];
      for (let i = 0; i < prepared.columnCount; i++) {
        names.push(prepared.columnName(i));
        types.push(prepared.columnType(i));
      }
      const parameterNames = Array.from({ length: prepared.parameterCount }, (_, i) => prepared.parameterName(i + 1));
      run.finish(true);
      return { names, types, parameterCount: prepared.parameterCount, parameterNames };
    } catch (error) {
      throw run.fail(error);
    }
  }

  async stream(appId: number, sql: string, parameters: QueryParameters, options: QueryOptions = {}): Promise<QueryStream> {
    let values: ReturnType<typeof toDuckDBValues>;
    try {
      values = toDuckDBValues(parameters);
    } catch (error) {
      options.onReleased?.();
      throw error;
    }
    const run = await this.begin(appId, sql, options);
    let result: DuckDBResult;
    try {
      const prepared = await run.prepare();
      const given = parameterCountGiven(parameters);
      if (prepared.parameterCount !== given) {
        throw queryErrors.invalid(`The query has ${prepared.parameterCount} parameter(s) but ${given} were given.`);
      }
      if (given > 0) prepared.bind(values);
      result = await run.track(() => prepared.stream());
    } catch (error) {
      throw run.fail(error);
    }
    const names = result.deduplicatedColumnNames();
    const types = result.columnTypes();
    async function* chunks(): AsyncGenerator<DuckDBDataChunk> {
      let complete = false;
      try {
        for (;;) {
          let chunk: DuckDBDataChunk | null;
          try {
            chunk = await run.track(() => result.fetchChunk());
          } catch (error) {
            throw run.mapError(error);
          }
          if (!chunk || chunk.rowCount === 0) {
            complete = true;
            return;
          }
          yield chunk;
        }
      } finally {
        run.finish(complete);
      }
    }
    return { names, types, chunks: chunks(), close: () => run.finish(false) };
  }

  /**
   * Opens the app's database, checks the statement and takes a connection. The returned run owns
   * the timers and gives everything back once.
   */
  private async begin(appId: number, sql: string, options: QueryOptions) {
    const { signal } = options;
    const limit = this.config.queryTimeoutMs;
    const timeoutMessage = `The query ran longer than ${limit / 1000} s (RUNTIME_QUERY_TIMEOUT_MS) and was stopped.`;
    let released = false;
    /** Tells the caller, once, that DuckDB holds nothing more of this query (the slot may go to another). */
    const release = () => {
      if (released) return;
      released = true;
      options.onReleased?.();
    };
    let deadline: number;
    let lease: Awaited<ReturnType<AppDatabases['connect']>>;
    try {
      if (signal?.aborted) throw queryErrors.cancelled();
      const opening = Date.now();
      const database = await this.databases.database(appId);
      // The scheduler's deadline covers the wait for a slot as well; opening the app's database
      // (its first build, say) is not the query's time.
      deadline = (options.deadline ?? opening + limit) + (Date.now() - opening);
      await this.check(sql, database);
      lease = await this.databases.connect(appId);
    } catch (error) {
      release();
      throw error;
    }
    const pooled: PooledConnection = lease.pooled;
    const state: RunState = { stopped: null, pending: null, finished: false, onStop: null };
    /**
     * Interrupts the DuckDB call in flight, again and again until it lets go: an interrupt sent in
     * the very instant a call is handed to DuckDB can be lost (the query would run on and keep its
     * slot). An interrupted connection is closed, never reused, so no later query sees the flag.
     */
    const interrupt = () => {
      pooled.connection.interrupt();
      const pending = state.pending;
      if (!pending) return;
      const again = setInterval(() => pooled.connection.interrupt(), INTERRUPT_REPEAT_MS);
      const done = () => clearInterval(again);
      void pending.then(done, done);
    };
    const stop = (why: 'timeout' | 'temp' | 'cancelled') => {
      if (state.stopped || state.finished) return;
      state.stopped = why;
      interrupt();
      state.onStop?.();
    };
    const timer = setTimeout(() => stop('timeout'), Math.max(0, deadline - Date.now()));
    const tempWatch = setInterval(() => {
      if (folderBytes(lease.database.tempDir) > this.tempLimitBytes) stop('temp');
    }, TEMP_CHECK_MS);
    const onAbort = () => stop('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    // The client may have gone while the database opened or the query waited for its slot.
    if (signal?.aborted) onAbort();
    const tempLimit = this.config.duckdb.tempLimit;
    const memoryLimit = this.config.duckdb.memoryLimit;
    const workerMemoryLimit = this.config.workerMemoryLimit;

    const giveBack = (reusable: boolean) => {
      clearTimeout(timer);
      clearInterval(tempWatch);
      signal?.removeEventListener('abort', onAbort);
      lease.done(reusable && !state.stopped);
      release();
    };

    /**
     * Ends the run. A DuckDB call still in flight is interrupted, and the slot and connection are
     * given back once DuckDB lets go of them; an interrupted connection is closed, not reused.
     */
    const finish = (reusable: boolean) => {
      if (state.finished) return;
      state.finished = true;
      const pending = state.pending;
      if (pending && !state.stopped) {
        state.stopped = 'cancelled';
        interrupt();
      }
      if (pending)
        void pending.then(
          () => giveBack(false),
          () => giveBack(false),
        );
      else giveBack(reusable);
    };
    const mapError = (error: unknown): Error => {
      if (error instanceof AppError) return error;
      if (state.stopped === 'timeout') return queryErrors.timeout(timeoutMessage);
      if (state.stopped === 'cancelled') return queryErrors.cancelled();
      if (state.stopped === 'temp') return queryErrors.limit('temp_limit', tempLimitMessage(tempLimit));
      const message = error instanceof Error ? error.message : String(error);
      if (/max_temp_directory_size|temp(orary)? directory/i.test(message)) return queryErrors.limit('temp_limit', tempLimitMessage(tempLimit));
      // malloc refused by the worker's OS memory limit (RLIMIT_DATA), not DuckDB's own limit.
      if (workerMemoryLimit && /^Out of Memory Error: Allocation failure/i.test(message)) return workerMemoryError(workerMemoryLimit);
      if (/^Out of Memory Error/i.test(message)) {
        return queryErrors.limit(
          'memory_limit',
          `The query needs more memory than this app may use (RUNTIME_DUCKDB_MEMORY_LIMIT, ${memoryLimit}); aggregate or filter more, or add a LIMIT.`,
        );
      }
      if (/Cannot prepare multiple statements/.test(message)) return queryErrors.invalid('Send one SQL statement per request.');
      return queryErrors.invalid(scrubMessage(message));
    };

    return {
      prepare: async () => {
        const prepared = await this.trackOn(state, () => preparedFor(pooled, sql));
        if (!READ_ONLY_STATEMENTS.has(prepared.statementType)) {
          throw queryErrors.invalid('Only read-only queries are allowed (SELECT, SHOW, DESCRIBE, EXPLAIN).');
        }
        return prepared;
      },
      track: <T>(call: () => Promise<T>) => this.trackOn(state, call),
      finish,
      /** The error to give the client for a failed step; the run ends. */
      fail: (error: unknown): Error => {
        const mapped = mapError(error);
        finish(true);
        return mapped;
      },
      mapError,
    };
  }

  /**
   * Runs one DuckDB call of the run and remembers it, so that a finished run waits for it before
   * giving the connection and the slot back. When the run is stopped (time limit, temp limit,
   * client gone), the caller gets its answer at once, even if DuckDB takes a while to notice the
   * interrupt; the slot stays taken until it does.
   */
  private trackOn<T>(state: RunState, call: () => Promise<T>): Promise<T> {
    // A run already stopped starts nothing more in DuckDB (an interrupt before a call is lost).
    if (state.stopped) return Promise.reject(new Error('Interrupted'));
    const promise = call();
    state.pending = promise;
    const settled = promise.finally(() => {
      if (state.pending === promise) state.pending = null;
    });
    const stopped = new Promise<never>((_, reject) => {
      state.onStop = () => reject(new Error('Interrupted'));
    });
    stopped.catch(() => undefined);
    return Promise.race([settled, stopped]).finally(() => {
      state.onStop = null;
    });
  }
}

/** How often an interrupt is sent again while the interrupted call has not let go. */
const INTERRUPT_REPEAT_MS = 25;

type RunState = {
  stopped: null | 'timeout' | 'temp' | 'cancelled';
  /** The DuckDB call in flight, if any. */
  pending: Promise<unknown> | null;
  finished: boolean;
  /** Answers the caller of the call in flight when the run is stopped. */
  onStop: (() => void) | null;
};

/** A query stopped by the engine worker's OS memory limit (it may have taken others of its worker with it). */
export function workerMemoryError(limit: string) {
  return queryErrors.unavailable(
    `The query needed more memory than the query engine worker may use (RUNTIME_WORKER_MEMORY_LIMIT, ${limit}) and was stopped; aggregate or filter more, or add a LIMIT.`,
  );
}

function tempLimitMessage(tempLimit: string): string {
  return `The query needs more temporary disk space than this app may use (RUNTIME_DUCKDB_TEMP_LIMIT, ${tempLimit}); aggregate or filter more, or add a LIMIT.`;
}
