import { queryErrors } from './query-engine';

type Waiter = { grant: () => void };

/** A counting semaphore with a FIFO queue whose waiters leave on their deadline or signal. */
class Semaphore {
  private running = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly capacity: number) {}

  get queued(): number {
    return this.waiting.length;
  }

  get full(): boolean {
    return this.running >= this.capacity;
  }

  acquire(deadline: number, timeoutMessage: string, signal?: AbortSignal): Promise<void> {
    if (this.running < this.capacity) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const leave = (error: Error) => {
        const index = this.waiting.indexOf(waiter);
        if (index >= 0) this.waiting.splice(index, 1);
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      const onAbort = () => leave(queryErrors.cancelled());
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const timer = setTimeout(() => leave(queryErrors.timeout(timeoutMessage)), Math.max(0, deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter; `running` stays the same.
    if (next) next.grant();
    else this.running -= 1;
  }

  get idle(): boolean {
    return this.running === 0 && this.waiting.length === 0;
  }
}

export type SlotLimits = { perApp: number; queuedPerApp: number; total: number };

/**
 * Fair sharing of the runtime between apps: at most `perApp` queries of one app run at once and
 * at most `queuedPerApp` wait behind them (beyond that, a `queue_full` AppError: HTTP 429), and at most
 * `total` run in the whole process. Waiting counts against the query's time limit.
 */
export class QuerySlots {
  private readonly apps = new Map<number, Semaphore>();
  private readonly process: Semaphore;

  constructor(private readonly limits: SlotLimits) {
    this.process = new Semaphore(limits.total);
  }

  /** Resolves with a release function once the query may run. */
  async acquire(appId: number, deadline: number, timeoutMessage: string, signal?: AbortSignal): Promise<() => void> {
    let app = this.apps.get(appId);
    if (!app) {
      app = new Semaphore(this.limits.perApp);
      this.apps.set(appId, app);
    }
    if (app.full && app.queued >= this.limits.queuedPerApp) {
      this.forgetIfIdle(appId, app);
      throw queryErrors.queueFull(
        `This app already runs ${this.limits.perApp} queries and has ${this.limits.queuedPerApp} waiting ` +
          '(RUNTIME_MAX_CONCURRENT_QUERIES_PER_APP, RUNTIME_MAX_QUEUED_QUERIES_PER_APP). Try again shortly.',
        1,
      );
    }
    try {
      await app.acquire(deadline, timeoutMessage, signal);
    } catch (error) {
      this.forgetIfIdle(appId, app);
      throw error;
    }
    try {
      await this.process.acquire(deadline, timeoutMessage, signal);
    } catch (error) {
      app.release();
      this.forgetIfIdle(appId, app);
      throw error;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.process.release();
      app.release();
      this.forgetIfIdle(appId, app);
    };
  }

  private forgetIfIdle(appId: number, app: Semaphore): void {
    if (app.idle && this.apps.get(appId) === app) this.apps.delete(appId);
  }
}
