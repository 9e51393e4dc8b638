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
  lock_configuration: 'true',
};

const READ_ONLY_STATEMENTS = new Set<StatementType>([StatementType.SELECT, StatementType.EXPLAIN]);
const MAX_OPEN = 64;
/** Idle connections kept per app: reusing them saves a connect and a disconnect per query. */
const IDLE_CONNECTIONS = 4;
/** Prepared statements kept per connection, by SQL text: a repeated query skips preparing. */
const CACHED_STATEMENTS = 32;

type PooledConnection = { connection: DuckDBConnection; statements: Map<string, DuckDBPreparedStatement> };
type OpenDatabase = { instance: DuckDBInstance; idle: PooledConnection[] };

function closeConnection(pooled: PooledConnection): void {
  for (const statement of pooled.statements.values()) statement.destroySync();
  pooled.statements.clear();
  pooled.connection.closeSync();
}

/** The statement for this SQL on this connection, prepared once and reused. */
async function preparedFor(pooled: PooledConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const cached = pooled.statements.get(sql);
  if (cached) {
    pooled.statements.delete(sql);
    pooled.statements.set(sql, cached);
    cached.clearBindings();
    return cached;
  }
  let prepared: DuckDBPreparedStatement;
  try {
    prepared = await pooled.connection.prepare(sql);
  } catch (error) {
    if (error instanceof Error && error.message.includes('Cannot prepare multiple statements')) {
      throw new QueryError('Send one SQL statement per request.');
    }
    throw error;
  }
  pooled.statements.set(sql, prepared);
  if (pooled.statements.size > CACHED_STATEMENTS) {
    const [oldest, statement] = pooled.statements.entries().next().value as [string, DuckDBPreparedStatement];
    pooled.statements.delete(oldest);
    statement.destroySync();
  }
  return prepared;
}

export class AppDatabases {
  private readonly open = new Map<number, Promise<OpenDatabase>>();

  constructor(
    private readonly dir: string,
    private readonly resources: { threads: number; memoryLimit: string } = { threads: 2, memoryLimit: '256MB' },
  ) {}

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

  private database(appId: number): Promise<OpenDatabase> {
    let database = this.open.get(appId);
    if (database) {
      // Most recently used last.
      this.open.delete(appId);
      this.open.set(appId, database);
      return database;
    }
    database = this.provision(appId).then(async () => ({
      instance: await DuckDBInstance.create(this.fileFor(appId), {
        ...LOCKED_DOWN,
        threads: String(this.resources.threads),
        memory_limit: this.resources.memoryLimit,
      }),
      idle: [],
    }));
    database.catch(() => this.open.delete(appId));
    this.open.set(appId, database);
    if (this.open.size > MAX_OPEN) {
      const [oldest, evicted] = this.open.entries().next().value as [number, Promise<OpenDatabase>];
      this.open.delete(oldest);
      // Give queries already running on it time to finish before closing.
      setTimeout(() => void evicted.then(closeDatabase).catch(() => undefined), 120_000).unref();
    }
    return database;
  }

  /** Runs one read-only statement for the app, with bound parameters, a time limit and a row limit. */
  async query(
    appId: number,
    sql: string,
    parameters: QueryParameter[],
    limits: { timeoutMs: number; maxRows: number },
  ): Promise<QueryResult> {
    const database = await this.database(appId);
    const pooled = database.idle.pop() ?? { connection: await database.instance.connect(), statements: new Map() };
    let timedOut = false;
    let reusable = true;
    const timer = setTimeout(() => {
      timedOut = true;
      pooled.connection.interrupt();
    }, limits.timeoutMs);
    try {
      const prepared = await preparedFor(pooled, sql);
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
      reusable = !timedOut;
      if (timedOut) throw new QueryTimeoutError(`The query ran longer than ${limits.timeoutMs / 1000} s and was stopped.`);
      if (error instanceof QueryError) throw error;
      // DuckDB's own message: a syntax error, an unknown table, a refused file access.
      throw new QueryError(error instanceof Error ? error.message : String(error));
    } finally {
      clearTimeout(timer);
      if (reusable && database.idle.length < IDLE_CONNECTIONS) database.idle.push(pooled);
      else closeConnection(pooled);
    }
  }

  async close(): Promise<void> {
    const databases = [...this.open.values()];
    this.open.clear();
    for (const database of databases) await database.then(closeDatabase).catch(() => undefined);
  }
}

function closeDatabase(database: OpenDatabase): void {
  for (const pooled of database.idle.splice(0)) closeConnection(pooled);
  database.instance.closeSync();
}
