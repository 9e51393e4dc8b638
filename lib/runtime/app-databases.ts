import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection, type DuckDBPreparedStatement } from '@duckdb/node-api';
import type { DuckDBResources } from './config';
import { storedAppIds } from './deleted-apps';
import { CREATE_SAMPLE_DATA, SAMPLE_TABLES } from './sample-data';

/**
 * Each app's data lives in its own DuckDB file, opened read-only with no file or network access
 * from SQL and a locked configuration: a query sees its app's data and nothing else. Each app has
 * its own memory limit, temp-file limit and temp folder, so one app's queries cannot use up the
 * memory or the disk of the others.
 */
const LOCKED_DOWN: Record<string, string> = {
  access_mode: 'READ_ONLY',
  enable_external_access: 'false',
  autoinstall_known_extensions: 'false',
  autoload_known_extensions: 'false',
  allow_community_extensions: 'false',
  allow_persistent_secrets: 'false',
  // "Did you mean …?" hints may name other schemas and catalogues.
  catalog_error_max_schemas: '0',
  lock_configuration: 'true',
};

/** Idle connections kept per app: reusing them saves a connect and a disconnect per query. */
const IDLE_CONNECTIONS = 4;
/** Prepared statements kept per connection, by SQL text: a repeated query skips preparing. */
const CACHED_STATEMENTS = 32;

export type PooledConnection = { connection: DuckDBConnection; statements: Map<string, DuckDBPreparedStatement> };

/** An open app database: its instance, idle connections, tables and temp folder. */
export type OpenDatabase = {
  instance: DuckDBInstance;
  idle: PooledConnection[];
  tables: ReadonlySet<string>;
  tempDir: string;
  /** Queries running on it: an evicted database closes when the last one ends. */
  active: number;
  evicted: boolean;
};

export type AppDatabasesOptions = {
  /** App databases kept open at once; the least recently used closes first. */
  maxOpen?: number;
  /** Test hook: runs on the finished temporary file before it is checked and renamed into place. */
  beforeInstall?: (temporaryFile: string) => void | Promise<void>;
};

export function closeConnection(pooled: PooledConnection): void {
  for (const statement of pooled.statements.values()) statement.destroySync();
  pooled.statements.clear();
  pooled.connection.closeSync();
}

/** The statement for this SQL on this connection, prepared once and reused. */
export async function preparedFor(pooled: PooledConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const cached = pooled.statements.get(sql);
  if (cached) {
    pooled.statements.delete(sql);
    pooled.statements.set(sql, cached);
    cached.clearBindings();
    return cached;
  }
  const prepared = await pooled.connection.prepare(sql);
  pooled.statements.set(sql, prepared);
  if (pooled.statements.size > CACHED_STATEMENTS) {
    const [oldest, statement] = pooled.statements.entries().next().value as [string, DuckDBPreparedStatement];
    pooled.statements.delete(oldest);
    statement.destroySync();
  }
  return prepared;
}

function removeQuietly(file: string): void {
  for (const name of [file, `${file}.wal`]) fs.rmSync(name, { force: true });
}

/** The tables of an open database that hold the expected sample rows, or null when one does not. */
async function verifiedTables(connection: DuckDBConnection): Promise<Set<string> | null> {
  const reader = await connection.runAndReadAll(`SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'`);
  const tables = new Set(reader.getRowsJS().map(([name]) => String(name).toLowerCase()));
  for (const [table, rows] of Object.entries(SAMPLE_TABLES)) {
    if (!tables.has(table)) return null;
    const count = await connection.runAndReadAll(`SELECT count(*) FROM "${table}"`);
    if (Number(count.getRowsJS()[0]?.[0]) !== rows) return null;
  }
  return tables;
}

export class AppDatabases {
  private readonly open = new Map<number, Promise<OpenDatabase>>();
  private readonly building = new Map<number, Promise<void>>();
  private readonly maxOpen: number;

  constructor(
    private readonly dir: string,
    private readonly resources: DuckDBResources = { threads: 1, memoryLimit: '256MB', tempLimit: '1GiB' },
    private readonly options: AppDatabasesOptions = {},
  ) {
    this.maxOpen = options.maxOpen ?? 16;
    this.removeStaleTempDirs();
  }

  fileFor(appId: number): string {
    return path.join(this.dir, `app-${appId}.duckdb`);
  }

  /** Per process, so that two runtimes sharing a data folder never touch each other's temp files. */
  tempDirFor(appId: number): string {
    return path.join(this.dir, 'tmp', String(process.pid), `app-${appId}`);
  }

  /** Removes the temp folders of runtime processes that are gone (a crash leaves them behind). */
  private removeStaleTempDirs(): void {
    const root = path.join(this.dir, 'tmp');
    let names: string[];
    try {
      names = fs.readdirSync(root);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(name);
      if (!Number.isInteger(pid) || pid === process.pid || isRunning(pid)) continue;
      fs.rmSync(path.join(root, name), { recursive: true, force: true });
    }
  }

  /**
   * Creates the app's database with its sample data when it does not exist yet: built in a
   * temporary file, checked (every sample table with its row count), then renamed into place, so
   * no reader ever sees a half-made file, and a failed build (a full disk, a crash) leaves nothing
   * behind. The data is deterministic, so two processes provisioning at once make the same file.
   */
  provision(appId: number): Promise<void> {
    if (fs.existsSync(this.fileFor(appId))) return Promise.resolve();
    let build = this.building.get(appId);
    if (!build) {
      build = this.build(appId).finally(() => this.building.delete(appId));
      this.building.set(appId, build);
    }
    return build;
  }

  private async build(appId: number): Promise<void> {
    const file = this.fileFor(appId);
    fs.mkdirSync(this.dir, { recursive: true });
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      const instance = await DuckDBInstance.create(temporary);
      try {
        const connection = await instance.connect();
        try {
          await connection.run(CREATE_SAMPLE_DATA);
          await connection.run('CHECKPOINT');
        } finally {
          connection.closeSync();
        }
      } finally {
        instance.closeSync();
      }
      await this.options.beforeInstall?.(temporary);
      if (!(await this.fileIsSound(temporary))) throw new Error(`The new database for app ${appId} failed its check.`);
      fs.renameSync(temporary, file);
    } finally {
      removeQuietly(temporary);
    }
  }

  /** Opens a file read-only on its own and checks it holds every sample table, complete. */
  private async fileIsSound(file: string): Promise<boolean> {
    try {
      const instance = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY', enable_external_access: 'false' });
      try {
        const connection = await instance.connect();
        try {
          return (await verifiedTables(connection)) !== null;
        } finally {
          connection.closeSync();
        }
      } finally {
        instance.closeSync();
      }
    } catch {
      return false;
    }
  }

  /** The app's open database, opened (and built or rebuilt) when needed; most recently used last. */
  database(appId: number): Promise<OpenDatabase> {
    let database = this.open.get(appId);
    if (database) {
      this.open.delete(appId);
      this.open.set(appId, database);
      return database;
    }
    database = this.openDatabase(appId);
    database.catch(() => this.open.delete(appId));
    this.open.set(appId, database);
    if (this.open.size > this.maxOpen) {
      const [oldest, evicted] = this.open.entries().next().value as [number, Promise<OpenDatabase>];
      this.open.delete(oldest);
      void evicted
        .then((db) => {
          db.evicted = true;
          if (db.active === 0) closeDatabase(db);
        })
        .catch(() => undefined);
    }
    return database;
  }

  private async openDatabase(appId: number): Promise<OpenDatabase> {
    await this.provision(appId);
    let opened = await this.tryOpen(appId);
    if (!opened) {
      // A file that does not pass the check (half-built by an older version, damaged) is never
      // served: it is removed and built again.
      removeQuietly(this.fileFor(appId));
      await this.provision(appId);
      opened = await this.tryOpen(appId);
      if (!opened) throw new Error(`The database of app ${appId} could not be built.`);
    }
    return opened;
  }

  private async tryOpen(appId: number): Promise<OpenDatabase | null> {
    const tempDir = this.tempDirFor(appId);
    // Temp files left by this app's previous opening in this process are of no use to anyone.
    fs.rmSync(tempDir, { recursive: true, force: true });
    fs.mkdirSync(tempDir, { recursive: true });
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(this.fileFor(appId), {
        // Set before external access is switched off, which refuses a temp folder set after it.
        temp_directory: tempDir,
        max_temp_directory_size: this.resources.tempLimit,
        threads: String(this.resources.threads),
        memory_limit: this.resources.memoryLimit,
        ...LOCKED_DOWN,
      });
    } catch {
      return null;
    }
    const connection = await instance.connect();
    const tables = await verifiedTables(connection).catch(() => null);
    if (!tables) {
      connection.closeSync();
      instance.closeSync();
      return null;
    }
    return { instance, idle: [{ connection, statements: new Map() }], tables, tempDir, active: 0, evicted: false };
  }

  /** Takes a connection for one query; `done` gives it back (or closes it when it was interrupted). */
  async connect(appId: number): Promise<{ database: OpenDatabase; pooled: PooledConnection; done: (reusable: boolean) => void }> {
    const database = await this.database(appId);
    const pooled = database.idle.pop() ?? { connection: await database.instance.connect(), statements: new Map() };
    database.active += 1;
    let given = false;
    return {
      database,
      pooled,
      done: (reusable) => {
        if (given) return;
        given = true;
        database.active -= 1;
        if (reusable && !database.evicted && database.idle.length < IDLE_CONNECTIONS) database.idle.push(pooled);
        else closeConnection(pooled);
        if (database.evicted && database.active === 0) closeDatabase(database);
      },
    };
  }

  /** The apps that have a database file in this runtime's folder. */
  storedAppIds(): number[] {
    return storedAppIds(this.dir);
  }

  /**
   * Forgets an app that was deleted: its database is closed (once the queries running on it end)
   * and its files are removed. Nothing can open it again: its keys are gone with it.
   */
  async remove(appId: number): Promise<void> {
    const open = this.open.get(appId);
    this.open.delete(appId);
    const database = open ? await open.catch(() => null) : null;
    if (database) {
      database.evicted = true;
      if (database.active === 0) closeDatabase(database);
    }
    for (const file of [this.fileFor(appId), `${this.fileFor(appId)}.wal`]) removeQuietly(file);
    fs.rmSync(this.tempDirFor(appId), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    const databases = [...this.open.values()];
    this.open.clear();
    for (const database of databases) await database.then(closeDatabase).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function closeDatabase(database: OpenDatabase): void {
  for (const pooled of database.idle.splice(0)) closeConnection(pooled);
  try {
    database.instance.closeSync();
  } catch {
    // Already closed.
  }
}
