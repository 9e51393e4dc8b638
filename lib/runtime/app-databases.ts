import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, StatementType, type DuckDBConnection, type DuckDBPreparedStatement, type JS } from '@duckdb/node-api';
import { CREATE_SAMPLE_DATA } from './sample-data';

/** A query the client got wrong: answered with 400 and the message. */
export class QueryError extends Error {}
/** A query that ran past its time limit. */
export class QueryTimeoutError extends Error {}

export type QueryResult = { columns: string[]; rows: JS[][]; truncated: boolean };
export type QueryParameter = string | number | boolean | null;

/**
 * Each app's data lives in its own DuckDB file, opened read-only with no file or network access
 * from SQL and a locked configuration: a query sees its app's data and nothing else.
 */
const LOCKED_DOWN: Record<string, string> = {
  access_mode: 'READ_ONLY',
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  memory_limit: '256MB',
  threads: '2',
  lock_configuration: 'true',
};

const READ_ONLY_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);
const MAX_OPEN = 64;

export class AppDatabases {
  private readonly open = new Map<number, Promise<DuckDBInstance>>();

  constructor(private readonly dir: string) {}

  fileFor(appId: number): string {
    return path.join(this.dir, `app-${appId}.duckdb`);
  }

  /**
   * Creates the app's database with its sample data when it does not exist yet. Written under a
   * temporary name and renamed into place, so a reader never sees a half-made file, and the data
   * is deterministic, so two processes provisioning at once make the same file.
   */
  async provision(appId: number): Promise<void> {
    const file = this.fileFor(appId);
    if (fs.existsSync(file)) return;
    fs.mkdirSync(this.dir, { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    const instance = await DuckDBInstance.create(temporary);
    try {
      const connection = await instance.connect();
      await connection.run(CREATE_SAMPLE_DATA);
      connection.closeSync();
    } finally {
      instance.closeSync();
    }
    fs.renameSync(temporary, file);
  }

  private instance(appId: number): Promise<DuckDBInstance> {
    let instance = this.open.get(appId);
    if (instance) {
      // Most recently used last.
      this.open.delete(appId);
      this.open.set(appId, instance);
      return instance;
    }
    instance = this.provision(appId).then(() => DuckDBInstance.create(this.fileFor(appId), LOCKED_DOWN));
    instance.catch(() => this.open.delete(appId));
    this.open.set(appId, instance);
    if (this.open.size > MAX_OPEN) {
      const [oldest, evicted] = this.open.entries().next().value as [number, Promise<DuckDBInstance>];
      this.open.delete(oldest);
      // Give queries already running on it time to finish before closing.
      setTimeout(() => void evicted.then((db) => db.closeSync()).catch(() => undefined), 120_000).unref();
    }
    return instance;
  }

  /** Runs one read-only statement for the app, with bound parameters, a time limit and a row limit. */
  async query(
    appId: number,
    sql: string,
    parameters: QueryParameter[],
    limits: { timeoutMs: number; maxRows: number },
  ): Promise<QueryResult> {
    const instance = await this.instance(appId);
    const connection: DuckDBConnection = await instance.connect();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      connection.interrupt();
    }, limits.timeoutMs);
    let prepared: DuckDBPreparedStatement | undefined;
    try {
      const statements = await connection.extractStatements(sql);
      if (statements.count === 0) throw new QueryError('The query is empty.');
      if (statements.count > 1) throw new QueryError('Send one SQL statement per request.');
      prepared = await statements.prepare(0);
      if (!READ_ONLY_STATEMENTS.has(prepared.statementType)) {
        throw new QueryError('Only read-only queries are allowed (SELECT, SHOW, DESCRIBE, EXPLAIN).');
      }
      if (prepared.parameterCount !== parameters.length) {
        throw new QueryError(`The query has ${prepared.parameterCount} parameter(s) but ${parameters.length} were given.`);
      }
      if (parameters.length > 0) prepared.bind(parameters);
      const reader = await prepared.streamAndReadUntil(limits.maxRows + 1);
      const rows = reader.getRowsJS();
      return { columns: reader.deduplicatedColumnNames(), rows: rows.slice(0, limits.maxRows), truncated: rows.length > limits.maxRows };
    } catch (error) {
      if (timedOut) throw new QueryTimeoutError(`The query ran longer than ${limits.timeoutMs / 1000} s and was stopped.`);
      if (error instanceof QueryError) throw error;
      // DuckDB's own message: a syntax error, an unknown table, a refused file access.
      throw new QueryError(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
      prepared?.destroySync();
      connection.closeSync();
    }
  }

  async close(): Promise<void> {
    const instances = [...this.open.values()];
    this.open.clear();
    for (const instance of instances) (await instance.catch(() => null))?.closeSync();
  }
}
