import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../../shared/errors';
import { runtimeThreadPoolSize } from '../config';
import type { IpcMessage } from '../flight/arrow-ipc';
import {
  queryErrors,
  type AnswerStream,
  type AnswerOptions,
  type ArrowStream,
  type Described,
  type QueryEngine,
  type QueryOptions,
  type QueryParameters,
  type QueryTarget,
} from '../query-engine';
import type { FromWorker, ToWorker } from './protocol';

export type WorkerPoolOptions = {
  /** Regular workers; apps are spread over them by id. */
  size: number;
  /** The OS memory limit of each worker (RLIMIT_DATA), in bytes, and as the setting reads. */
  memoryLimitBytes: number;
  memoryLimit: string;
  /** The time limit, for requests that reach a worker still starting. */
  queryTimeoutMs: number;
  /** Environment of the workers (the runtime's settings). */
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
  /** Told when a worker stopped unasked and is started again: its signal (SIGKILL…) or `exit_<code>` (the metrics). */
  onRestart?: (cause: string) => void;
};

/** A crash in a row of the same app's queries: the second gives it a worker of its own, the third a minute off. */
const ISOLATE_AFTER = 2;
const REFUSE_AFTER = 3;
const REFUSE_MS = 60_000;
/** Workers of their own for apps that keep crashing theirs; more such apps share the last. */
const MAX_ISOLATED = 2;
/** Apps whose crash counts are kept; beyond that the oldest is forgotten (the map stays small whatever happens). */
const MAX_STRIKES = 10_000;
/** The app id of requests that are no app's query (removing deleted apps' files): never counted against an app. */
const REMOVE = -1;
/** How long a worker may take to start (Node.js, tsx, DuckDB's library) before it is killed and started again. */
const READY_TIMEOUT_MS = 30_000;
/** How long past its deadline a request may wait for its worker's answer before the pool gives up on it. */
const DEADLINE_GRACE_MS = 5_000;
/** Restart delays of a worker that keeps dying: at once, then backing off, never above 2 s. */
const RESTART_DELAYS_MS = [0, 100, 500, 1000, 2000];

type Pending = {
  appId: number;
  onMessage: (message: FromWorker) => void;
  /** The worker died: the request fails with this error. */
  onExit: (error: AppError) => void;
};

type Worker = {
  /** A regular worker's index, or the app it was given to alone. */
  role: { kind: 'shared'; index: number } | { kind: 'isolated'; appId: number };
  child: ChildProcess | null;
  ready: Promise<void>;
  pending: Map<number, Pending>;
  /** Deaths since its last answered request: how long the next restart waits. */
  deaths: number;
};

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'engine-worker.ts');

/** `prlimit` of util-linux, if this machine has it: it sets the worker's limit before Node starts. */
function findPrlimit(): string | null {
  if (process.platform !== 'linux') return null;
  const found = spawnSync('prlimit', ['--version'], { stdio: 'ignore' });
  return found.status === 0 ? 'prlimit' : null;
}

/**
 * The engine workers, seen from the serving process: a QueryEngine whose queries run in child
 * processes, each under a memory limit the operating system enforces (RLIMIT_DATA through
 * `prlimit --data`: it bounds every private allocation, DuckDB's and V8's alike; RLIMIT_AS
 * cannot be used, as Node reserves more address space than that at start). A query that drives
 * a worker past it either fails its allocation (a clear 503) or kills the worker; then the
 * worker's queries, and only they, fail with a clear 503, and a fresh worker starts at once.
 * Apps are spread over the workers by id; an app whose queries keep killing its worker gets a
 * worker of its own, then a minute off. App databases are files: a new worker opens them again.
 */
export class EngineWorkerPool implements QueryEngine {
  private readonly shared: Worker[] = [];
  private readonly isolated = new Map<number, Worker>();
  private readonly strikes = new Map<number, { count: number; refusedUntil: number }>();
  private readonly prlimit = findPrlimit();
  private nextId = 1;
  private closing = false;
  private readonly log: (message: string) => void;
  /** Deaths of workers, for tests and operators: when, which pid, and why. */
  readonly exits: { at: number; pid: number | undefined; code: number | null; signal: NodeJS.Signals | null }[] = [];

  constructor(private readonly options: WorkerPoolOptions) {
    this.log = options.log ?? ((message) => console.error(message));
    if (!this.prlimit)
      this.log('[runtime] prlimit is not available: engine workers run without an OS memory limit (RUNTIME_WORKER_MEMORY_LIMIT is not enforced)');
    for (let index = 0; index < options.size; index++) this.shared.push(this.launch({ kind: 'shared', index }));
  }

  /** Resolves once every worker has started. */
  async ready(): Promise<void> {
    await Promise.all([...this.shared, ...this.isolated.values()].map((worker) => worker.ready));
  }

  /** The process ids of the workers now, shared ones first (for tests and the benchmark). */
  pids(): number[] {
    return [...this.shared, ...this.isolated.values()].flatMap((worker) => (worker.child?.pid ? [worker.child.pid] : []));
  }

  /** The workers running now, by label ("0", "1", "app 7"), for the metrics. */
  running(): { label: string; pid: number }[] {
    return [...this.shared, ...this.isolated.values()].flatMap((worker) =>
      worker.child?.pid ? [{ label: worker.role.kind === 'shared' ? String(worker.role.index) : `app ${worker.role.appId}`, pid: worker.child.pid }] : [],
    );
  }

  /** The pid of the worker that serves this app now. */
  pidFor(appId: number): number | undefined {
    return this.workerFor(appId).child?.pid;
  }

  private launch(role: Worker['role'], deaths = 0): Worker {
    const worker: Worker = { role, child: null, ready: Promise.resolve(), pending: new Map(), deaths };
    worker.ready = this.start(worker);
    worker.ready.catch(() => undefined);
    return worker;
  }

  private start(worker: Worker): Promise<void> {
    // V8's heap is capped at half the limit, so that it collects before the OS refuses it memory.
    const heapMb = Math.max(64, Math.floor(this.options.memoryLimitBytes / 1024 ** 2 / 2));
    const node = [process.execPath, `--max-old-space-size=${heapMb}`, '--import', 'tsx', ENTRY];
    const [command, ...args] = this.prlimit ? [this.prlimit, `--data=${Math.floor(this.options.memoryLimitBytes)}`, '--', ...node] : node;
    let child: ChildProcess;
    try {
      child = spawn(command!, args, {
        env: workerEnv(this.options.env ?? process.env),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        serialization: 'advanced',
      });
    } catch {
      // The system refused a process (ENOMEM, EAGAIN): tried again after the backoff.
      worker.child = null;
      setImmediate(() => this.restart(worker));
      return Promise.reject(new Error('engine worker could not be started'));
    }
    worker.child = child;
    const ready = new Promise<void>((resolve, reject) => {
      let settled = false;
      // A worker that never says it is ready is killed, and its exit restarts it.
      const timer = setTimeout(() => child.kill('SIGKILL'), READY_TIMEOUT_MS);
      const gone = (code: number | null, signal: NodeJS.Signals | null) => {
        clearTimeout(timer);
        if (!settled) reject(new Error('engine worker stopped before it was ready'));
        settled = true;
        this.onExit(worker, child, code, signal);
      };
      child.on('message', (message: FromWorker) => {
        if (message.t === 'ready') {
          clearTimeout(timer);
          settled = true;
          const label = worker.role.kind === 'shared' ? `${worker.role.index}` : `for app ${worker.role.appId}`;
          this.log(`[runtime] engine worker ${label} ready (pid ${child.pid})`);
          resolve();
          return;
        }
        if ('id' in message) worker.pending.get(message.id)?.onMessage(message);
      });
      // Every failure of the child comes here, not as an uncaught exception: a send to a worker
      // that has just died (EPIPE), or a spawn that failed (then no exit follows: it counts as one).
      child.on('error', () => {
        if (child.pid === undefined) gone(null, null);
      });
      child.once('exit', gone);
    });
    return ready;
  }

  private onExit(worker: Worker, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    // Once per child: a failed spawn may report both an error and an exit.
    if (worker.child !== child) return;
    worker.child = null;
    this.exits.push({ at: Date.now(), pid: child.pid, code, signal });
    const apps = new Set([...worker.pending.values()].map((pending) => pending.appId));
    const error = queryErrors.unavailable(
      `The query engine worker running this query stopped (a query passed its memory limit, RUNTIME_WORKER_MEMORY_LIMIT ${this.options.memoryLimit}, or it was killed); the query was not finished. Try again.`,
      1,
    );
    for (const pending of [...worker.pending.values()]) pending.onExit(error);
    worker.pending.clear();
    if (this.closing) return;
    this.log(`[runtime] an engine worker stopped (${signal ?? `exit ${code}`}) with ${apps.size} app(s) querying; starting a new one`);
    this.options.onRestart?.(signal ?? `exit_${code}`);
    for (const appId of apps) if (appId >= 0) this.strike(appId);
    this.restart(worker);
  }

  /** Starts the worker again, after a backoff that grows while it keeps dying. */
  private restart(worker: Worker): void {
    if (this.closing) return;
    const delay = RESTART_DELAYS_MS[Math.min(worker.deaths, RESTART_DELAYS_MS.length - 1)]!;
    worker.deaths += 1;
    worker.ready = new Promise<void>((resolve, reject) => {
      setTimeout(() => {
        if (this.closing) return reject(new Error('closing'));
        this.start(worker).then(resolve, reject);
      }, delay);
    });
    worker.ready.catch(() => undefined);
  }

  private timeout(): AppError {
    return queryErrors.timeout(`The query ran longer than ${this.options.queryTimeoutMs / 1000} s (RUNTIME_QUERY_TIMEOUT_MS) and was stopped.`);
  }

  /** One more crash in a row with this app's query in flight. */
  private strike(appId: number): void {
    const entry = this.strikes.get(appId) ?? { count: 0, refusedUntil: 0 };
    entry.count += 1;
    if (entry.count >= REFUSE_AFTER) entry.refusedUntil = Date.now() + REFUSE_MS;
    this.strikes.delete(appId);
    this.strikes.set(appId, entry);
    if (this.strikes.size > MAX_STRIKES) this.strikes.delete(this.strikes.keys().next().value as number);
    if (entry.count >= ISOLATE_AFTER && !this.isolated.has(appId) && this.isolated.size < MAX_ISOLATED) {
      this.isolated.set(appId, this.launch({ kind: 'isolated', appId }));
      this.log(`[runtime] app ${appId} crashed its engine worker ${entry.count} times in a row: it gets a worker of its own`);
    }
  }

  private workerFor(appId: number): Worker {
    const own = this.isolated.get(appId);
    if (own) return own;
    if ((this.strikes.get(appId)?.count ?? 0) >= ISOLATE_AFTER && this.isolated.size > 0) return [...this.isolated.values()].at(-1)!;
    return this.shared[appId % this.shared.length]!;
  }

  /** Sends a request to the app's worker (or the one given); `onMessage` sees each of the worker's answers to it. */
  private async request(
    appId: number,
    deadline: number,
    build: (id: number) => ToWorker,
    onMessage: (message: FromWorker, done: () => void) => void,
    onExit: (error: AppError) => void,
    given?: Worker,
    signal?: AbortSignal,
  ): Promise<{ id: number; worker: Worker }> {
    const strike = this.strikes.get(appId);
    if (!given && strike && strike.refusedUntil > Date.now()) {
      const seconds = Math.ceil((strike.refusedUntil - Date.now()) / 1000);
      throw queryErrors.unavailable(
        `This app's queries stopped the query engine ${strike.count} times in a row (RUNTIME_WORKER_MEMORY_LIMIT ${this.options.memoryLimit}); its queries are refused for a minute (${seconds} s left). Use less memory per query: aggregate or filter more, or add a LIMIT.`,
        seconds,
      );
    }
    const worker = given ?? this.workerFor(appId);
    await waitUntil(worker.ready, deadline, () =>
      queryErrors.unavailable('The query engine is starting again after a worker stopped and was not ready in time. Try again.', 1),
    );
    if (signal?.aborted) throw queryErrors.cancelled();
    const child = worker.child;
    if (!child?.connected) throw queryErrors.unavailable('The query engine worker for this app is restarting. Try again.', 1);
    const id = this.nextId++;
    const done = () => {
      worker.pending.delete(id);
      if (appId < 0) return;
      // A query answered: the worker is sound, and the app's crash count starts again.
      worker.deaths = 0;
      const entry = this.strikes.get(appId);
      if (entry && entry.refusedUntil <= Date.now()) this.strikes.delete(appId);
    };
    worker.pending.set(id, { appId, onMessage: (message) => onMessage(message, done), onExit });
    if (!this.send(worker, build(id))) {
      worker.pending.delete(id);
      throw queryErrors.unavailable('The query engine worker for this app is restarting. Try again.', 1);
    }
    return { id, worker };
  }

  /** Sends a message if the worker is there; a failed send is reported by the child's 'error' (its exit follows). */
  private send(worker: Worker, message: ToWorker): boolean {
    const child = worker.child;
    if (!child?.connected) return false;
    try {
      child.send(message, () => undefined);
      return true;
    } catch {
      return false;
    }
  }

  /** A request with one final answer (`result` or `error`), cancelled when the signal aborts. */
  private async call<T>(appId: number, options: QueryOptions, build: (id: number, deadline: number) => ToWorker, given?: Worker): Promise<T> {
    const deadline = options.deadline ?? Date.now() + this.options.queryTimeoutMs;
    if (options.signal?.aborted) throw queryErrors.cancelled();
    return new Promise<T>((resolve, reject) => {
      let cancel = () => undefined as void;
      const onAbort = () => cancel();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      // The worker enforces the deadline; this is the fallback for a worker that cannot answer.
      const late = setTimeout(
        () => {
          cancel();
          settle();
          reject(this.timeout());
        },
        deadline + DEADLINE_GRACE_MS - Date.now(),
      );
      const settle = () => {
        clearTimeout(late);
        options.signal?.removeEventListener('abort', onAbort);
      };
      this.request(
        appId,
        deadline,
        (id) => build(id, deadline),
        (message, done) => {
          if (message.t !== 'result' && message.t !== 'error') return;
          done();
          settle();
          if (message.t === 'result') resolve(message.value as T);
          else
            reject(
              new AppError(message.error.code, message.error.message, message.error.retryAfter === undefined ? {} : { retryAfter: message.error.retryAfter }),
            );
        },
        (error) => {
          settle();
          reject(error);
        },
        given,
        options.signal,
      ).then(
        ({ id, worker }) => {
          cancel = () => this.send(worker, { t: 'cancel', id });
          if (options.signal?.aborted) cancel();
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }

  async answer(target: QueryTarget, sql: string, parameters: QueryParameters, options: AnswerOptions): Promise<AnswerStream> {
    const { format, maxRows, maxBytes } = options;
    const { head, parts, close } = await this.open<Uint8Array>(target.appId, options, (id, deadline) => ({
      t: 'answer',
      id,
      appId: target.appId,
      sql,
      parameters,
      deadline,
      format,
      maxRows,
      maxBytes,
    }));
    if (!('length' in head)) throw new AppError('internal', 'Internal error.');
    return { length: head.length, truncated: head.truncated, parts, close };
  }

  describe(target: QueryTarget, sql: string, options: QueryOptions = {}): Promise<Described> {
    return this.call(target.appId, options, (id, deadline) => ({ t: 'describe', id, appId: target.appId, sql, deadline }));
  }

  async arrow(target: QueryTarget, sql: string, parameters: QueryParameters, options: QueryOptions = {}): Promise<ArrowStream> {
    const { head, parts, close } = await this.open<IpcMessage[]>(target.appId, options, (id, deadline) => ({
      t: 'arrow',
      id,
      appId: target.appId,
      sql,
      parameters,
      deadline,
    }));
    if (!('schema' in head)) throw new AppError('internal', 'Internal error.');
    return { schema: head.schema, messages: parts, close };
  }

  /**
   * A request answered by a stream: its head (`start`), then each part the reader asks for
   * (`more` → `batch`), until `end` or `error`. One answer is awaited at a time, so the worker
   * makes a part only when the one before has been taken.
   */
  private async open<T>(appId: number, options: QueryOptions, build: (id: number, deadline: number) => ToWorker) {
    const deadline = options.deadline ?? Date.now() + this.options.queryTimeoutMs;
    if (options.signal?.aborted) throw queryErrors.cancelled();
    // One answer awaited at a time: the start, then each batch the reader asks for.
    let waiting: { resolve: (message: FromWorker) => void; reject: (error: unknown) => void } | null = null;
    let failure: AppError | null = null;
    let finished = false;
    const next = () =>
      new Promise<FromWorker>((resolve, reject) => {
        if (failure) return reject(failure);
        waiting = { resolve, reject };
      });
    const deliver = (message: FromWorker, done: () => void) => {
      if (message.t === 'end' || message.t === 'error') {
        finished = true;
        done();
      }
      if (message.t === 'error')
        failure = new AppError(
          message.error.code,
          message.error.message,
          message.error.retryAfter === undefined ? {} : { retryAfter: message.error.retryAfter },
        );
      const current = waiting;
      waiting = null;
      if (!current) return;
      if (failure) current.reject(failure);
      else current.resolve(message);
    };
    const started = next();
    started.catch(() => undefined);
    const { id, worker } = await this.request(
      appId,
      deadline,
      (id) => build(id, deadline),
      deliver,
      (error) => {
        finished = true;
        failure = error;
        const current = waiting;
        waiting = null;
        current?.reject(error);
      },
      undefined,
      options.signal,
    );
    const close = () => {
      clearTimeout(late);
      if (finished) return;
      finished = true;
      this.send(worker, { t: 'cancel', id });
    };
    // The worker enforces the deadline; this is the fallback for a worker that cannot answer.
    const late = setTimeout(
      () => {
        if (finished) return;
        failure = this.timeout();
        const current = waiting;
        waiting = null;
        current?.reject(failure);
        close();
      },
      deadline + DEADLINE_GRACE_MS - Date.now(),
    );
    const onAbort = () => close();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let start: FromWorker;
    try {
      if (options.signal?.aborted) close();
      start = await started;
    } catch (error) {
      options.signal?.removeEventListener('abort', onAbort);
      throw error;
    }
    if (start.t !== 'start') throw new AppError('internal', 'Internal error.');
    const ask = () => this.send(worker, { t: 'more', id });
    async function* parts(): AsyncGenerator<T> {
      try {
        for (;;) {
          if (finished && !failure) return;
          const answer = next();
          ask();
          const message = await answer;
          if (message.t === 'end') return;
          if (message.t === 'batch') yield message.part as T;
        }
      } finally {
        options.signal?.removeEventListener('abort', onAbort);
        close();
      }
    }
    return { head: start.head, parts: parts(), close };
  }

  /** Closes and deletes the databases of deleted apps, in every worker that may hold them. */
  async remove(appIds: number[]): Promise<void> {
    if (appIds.length === 0) return;
    const workers = [...this.shared, ...this.isolated.values()];
    await Promise.all(
      workers.map(async (worker) => {
        try {
          await this.call<null>(REMOVE, {}, (id) => ({ t: 'remove', id, appIds }), worker);
        } catch {
          // A worker that is restarting opens nothing until asked; the next sweep tries again.
        }
      }),
    );
  }

  async close(): Promise<void> {
    this.closing = true;
    const workers = [...this.shared, ...this.isolated.values()];
    await Promise.all(
      workers.map(async (worker) => {
        const child = worker.child;
        if (!child) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        if (child.connected) child.disconnect();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/** What the workers may see of the runtime's environment: its settings, never the database URL or the key secrets. */
function workerEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const allowed = /^(RUNTIME_|FLIGHT_|UV_THREADPOOL_SIZE$|PATH$|HOME$|TMPDIR$|TZ$|LANG$|LC_|NODE_ENV$|NODE_OPTIONS$)/;
  const kept = Object.fromEntries(Object.entries(env).filter(([name]) => allowed.test(name))) as NodeJS.ProcessEnv;
  return { ...kept, UV_THREADPOOL_SIZE: kept.UV_THREADPOOL_SIZE ?? String(runtimeThreadPoolSize(env)) };
}

function waitUntil(promise: Promise<void>, deadline: number, error: () => AppError): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(error()), Math.max(0, deadline - Date.now()));
    promise.then(
      () => {
        clearTimeout(timer);
        resolve();
      },
      () => {
        clearTimeout(timer);
        reject(error());
      },
    );
  });
}
