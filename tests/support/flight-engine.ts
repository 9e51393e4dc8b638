// A small QueryEngine for the Flight tests until the runtime's own engine (issue 9) merges: each
// app's sample database in a temporary folder, opened read-only, one connection per statement.
// It keeps the contract's error classes and the abort signal, nothing more.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBDataChunk, type DuckDBPreparedStatement, type DuckDBValue } from '@duckdb/node-api';
import { QueryError, QueryTimeoutError } from '@/lib/runtime/query-engine';
import type { QueryEngine, QueryParameters, QueryStream } from '@/lib/runtime/query-engine';
import { CREATE_SAMPLE_DATA } from '@/lib/runtime/sample-data';

export function createTestEngine(dir: string, options: { timeoutMs?: number } = {}): QueryEngine & { close(): void } {
  const instances = new Map<number, Promise<DuckDBInstance>>();
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function instanceFor(appId: number): Promise<DuckDBInstance> {
    let instance = instances.get(appId);
    if (!instance) {
      instance = (async () => {
        const file = path.join(dir, `app-${appId}.duckdb`);
        if (!fs.existsSync(file)) {
          const writable = await DuckDBInstance.create(file);
          const connection = await writable.connect();
          await connection.run(CREATE_SAMPLE_DATA);
          connection.closeSync();
          writable.closeSync();
        }
        return DuckDBInstance.create(file, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
      })();
      instances.set(appId, instance);
    }
    return instance;
  }

  async function prepare(appId: number, sql: string) {
    const connection = await (await instanceFor(appId)).connect();
    let prepared: DuckDBPreparedStatement;
    try {
      prepared = await connection.prepare(sql);
    } catch (error) {
      connection.closeSync();
      throw new QueryError(error instanceof Error ? error.message : String(error));
    }
    if (prepared.statementType !== StatementType.SELECT && prepared.statementType !== StatementType.EXPLAIN) {
      prepared.destroySync();
      connection.closeSync();
      throw new QueryError('Only read-only queries are allowed (SELECT, SHOW, DESCRIBE, EXPLAIN).');
    }
    return { connection, prepared };
  }

  const parameterNames = (prepared: DuckDBPreparedStatement) =>
    Array.from({ length: prepared.parameterCount }, (_, i) => prepared.parameterName(i + 1));

  return {
    async describe(appId, sql) {
      const { connection, prepared } = await prepare(appId, sql);
      try {
        return {
          names: Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i)),
          types: Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnType(i)),
          parameterCount: prepared.parameterCount,
          parameterNames: parameterNames(prepared),
        };
      } finally {
        prepared.destroySync();
        connection.closeSync();
      }
    },

    async stream(appId, sql, parameters: QueryParameters, { signal } = {}): Promise<QueryStream> {
      const { connection, prepared } = await prepare(appId, sql);
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        connection.interrupt();
      }, timeoutMs);
      const onAbort = () => connection.interrupt();
      signal?.addEventListener('abort', onAbort, { once: true });
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        connection.interrupt();
        prepared.destroySync();
        connection.closeSync();
      };
      const fail = (error: unknown): never => {
        close();
        if (timedOut) throw new QueryTimeoutError(`The query ran longer than ${timeoutMs / 1000} s and was stopped.`);
        throw new QueryError(error instanceof Error ? error.message : String(error));
      };
      try {
        const count = Array.isArray(parameters) ? parameters.length : Object.keys(parameters).length;
        if (count !== prepared.parameterCount) {
          throw new QueryError(`The query has ${prepared.parameterCount} parameter(s) but ${count} were given.`);
        }
        if (count > 0) prepared.bind(parameters as DuckDBValue[] | Record<string, DuckDBValue>);
      } catch (error) {
        close();
        throw error instanceof QueryError ? error : new QueryError(error instanceof Error ? error.message : String(error));
      }
      const result = await prepared.stream().catch(fail);
      async function* chunks(): AsyncGenerator<DuckDBDataChunk> {
        try {
          for (;;) {
            const chunk = await result.fetchChunk().catch(fail);
            if (!chunk || chunk.rowCount === 0) return;
            yield chunk;
          }
        } finally {
          close();
        }
      }
      return { names: result.deduplicatedColumnNames(), types: result.columnTypes(), chunks: chunks(), close };
    },

    close() {
      for (const instance of instances.values()) void instance.then((i) => i.closeSync()).catch(() => undefined);
      instances.clear();
    },
  };
}
