import { queryErrors } from './query-engine';

export type SchedulerLimits = {
  /** Queries running at once, all organizations together. */
  slots: number;
  /** Queries one organization may have waiting; beyond that, `queue_full` (HTTP 429). */
  queuedPerOrg: number;
  /** Bytes of SQL one organization's waiting queries may hold; beyond that, `queue_full`. */
  queuedBytesPerOrg: number;
  /** Queries an idle organization may start beyond `slots` (see `canStart`); `ceil(slots / 2)` by default. */
  burst?: number;
};

/**
 * One query asking for a slot. `orgId` is the organization's id (`"Organization"."id"`, a cuid):
 * the scheduler keeps ids only, never names.
 */
export type Ticket = {
  orgId: string;
  appId: number;
  /** What the query holds while it waits: its SQL's length in bytes. */
  cost: number;
  /** When waiting ends with `queryErrors.timeout(timeoutMessage)` (ms since the epoch). */
  deadline: number;
  timeoutMessage: string;
  /** Waiting ends with `queryErrors.cancelled()` when it aborts. */
  signal?: AbortSignal;
};

/** The newcomer burst when none is given: half the slots, rounded up. */
export const defaultBurst = (slots: number) => Math.ceil(slots / 2);

type Waiter = {
  ticket: Ticket;
  app: AppState;
  /** Takes the slot: called by the scheduler once it has counted the query as running. */
  grant(): void;
};

type AppState = {
  appId: number;
  org: OrgState;
  running: number;
  /** FIFO; at most `queuedPerOrg` long, so removing from the middle is cheap. */
  waiting: Waiter[];
  /** The scheduler's clock when the app last started a query (0: never): the round robin's tie-break. */
  served: number;
};

type OrgState = {
  orgId: string;
  running: number;
  queued: number;
  queuedBytes: number;
  apps: Map<number, AppState>;
  /** The apps that have a query waiting. */
  waitingApps: Set<AppState>;
  served: number;
};

/** The one with the fewest running queries, ties to the one served least recently. */
function fairest<T extends { running: number; served: number }>(candidates: Iterable<T>): T | undefined {
  let best: T | undefined;
  for (const candidate of candidates) {
    if (!best || candidate.running < best.running || (candidate.running === best.running && candidate.served < best.served)) best = candidate;
  }
  return best;
}

/**
 * Fair sharing of the runtime's query slots: between organizations first, then between the apps
 * of an organization, with equal weights, and FIFO within an app. It is work-conserving: a slot
 * is never left free while a query waits, so one app alone may use every slot, and when several
 * organizations are busy each gets an equal share whatever its number of apps or connections.
 *
 * When a slot frees it goes to the waiting query of the organization with the fewest running
 * queries (ties: the one served least recently, a round robin), within it of the app with the
 * fewest running (same tie-break), the oldest of that app's. That is max-min fair sharing without
 * preemption (deficit round robin with unit cost): DuckDB cannot pause a query, so a share is
 * reached as running queries finish, not by stopping them.
 *
 * Waiting is bounded per organization, by count and by bytes of SQL held; beyond either bound a
 * query is refused at once with `queue_full` (retry after 1 s). A waiting query leaves the queue
 * at its deadline or when its signal aborts, and gives its place and its bytes back. The state
 * of an organization or an app with nothing running and nothing waiting is forgotten, so memory
 * follows the queries, not the number of organizations ever seen. Choosing scans the
 * organizations that have a query waiting, then that one's waiting apps: as many as there are
 * waiting requests at most, and cheap next to a query.
 */
export class FairScheduler {
  private readonly slots: number;
  private readonly burst: number;
  private readonly orgs = new Map<string, OrgState>();
  /** The organizations that have a query waiting. */
  private readonly waitingOrgs = new Set<OrgState>();
  private running = 0;
  /** Counts starts: what `served` is measured in. */
  private clock = 0;

  constructor(private readonly limits: SchedulerLimits) {
    this.slots = limits.slots;
    this.burst = limits.burst ?? defaultBurst(limits.slots);
  }

  /** Resolves with a release function (idempotent) once the query may run. */
  acquire(ticket: Ticket): Promise<() => void> {
    if (ticket.signal?.aborted) return Promise.reject(queryErrors.cancelled());
    const known = this.orgs.get(ticket.orgId);
    // Nothing of this organization waits (else it would queue behind it) and it may start now.
    if ((!known || known.queued === 0) && this.canStart(known)) {
      const app = this.appOf(this.orgOf(ticket.orgId), ticket.appId);
      this.start(app);
      return Promise.resolve(this.releaser(app));
    }
    if (known && known.queued >= this.limits.queuedPerOrg) {
      return Promise.reject(
        queryErrors.queueFull(
          `This organization already has ${this.limits.queuedPerOrg} queries waiting (RUNTIME_MAX_QUEUED_QUERIES_PER_ORG). Try again shortly.`,
          1,
        ),
      );
    }
    if ((known?.queuedBytes ?? 0) + ticket.cost > this.limits.queuedBytesPerOrg) {
      return Promise.reject(
        queryErrors.queueFull(
          `This organization's waiting queries would hold more than ${this.limits.queuedBytesPerOrg} bytes of SQL ` +
            '(RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG). Try again shortly.',
          1,
        ),
      );
    }
    return this.wait(ticket);
  }

  /** Per organization id: running and queued now (for metrics; ids only, never names). */
  snapshot(): { running: number; queued: number; byOrg: Map<string, { running: number; queued: number }> } {
    const byOrg = new Map<string, { running: number; queued: number }>();
    let queued = 0;
    for (const org of this.orgs.values()) {
      byOrg.set(org.orgId, { running: org.running, queued: org.queued });
      queued += org.queued;
    }
    return { running: this.running, queued, byOrg };
  }

  /**
   * Whether a query of this organization may start now. Below `slots`, any may. At or above it,
   * only an organization with nothing running, up to `slots + burst` in all: the newcomer
   * guarantee. Without preemption, an organization arriving while others hold every slot with
   * long queries would otherwise wait until one of them finishes (up to the time limit) however
   * cheap its own query; with it, its first query starts at once, so a `SELECT 1` answers in
   * milliseconds. What bounds the total is `slots + burst`, never passed (so the memory ceiling
   * grows by `burst` queries at most, and a flood of new organizations waits like anyone else
   * once the burst is taken); each extra query belongs to an organization that had nothing
   * running, and that organization's next query waits for its share as any other.
   */
  private canStart(org: OrgState | undefined): boolean {
    if (this.running < this.slots) return true;
    return (org?.running ?? 0) === 0 && this.running < this.slots + this.burst;
  }

  private orgOf(orgId: string): OrgState {
    let org = this.orgs.get(orgId);
    if (!org) {
      org = { orgId, running: 0, queued: 0, queuedBytes: 0, apps: new Map(), waitingApps: new Set(), served: 0 };
      this.orgs.set(orgId, org);
    }
    return org;
  }

  private appOf(org: OrgState, appId: number): AppState {
    let app = org.apps.get(appId);
    if (!app) {
      app = { appId, org, running: 0, waiting: [], served: 0 };
      org.apps.set(appId, app);
    }
    return app;
  }

  private start(app: AppState): void {
    this.clock += 1;
    app.running += 1;
    app.served = this.clock;
    app.org.running += 1;
    app.org.served = this.clock;
    this.running += 1;
  }

  private releaser(app: AppState): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      app.running -= 1;
      app.org.running -= 1;
      this.running -= 1;
      this.forgetIfIdle(app);
      // In the same call: the freed slot goes to the chosen waiter before anything else can ask.
      this.dispatch();
    };
  }

  private wait(ticket: Ticket): Promise<() => void> {
    const org = this.orgOf(ticket.orgId);
    const app = this.appOf(org, ticket.appId);
    const { signal } = ticket;
    return new Promise((resolve, reject) => {
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      const leave = (error: Error) => {
        const index = app.waiting.indexOf(waiter);
        if (index < 0) return;
        app.waiting.splice(index, 1);
        this.dequeued(waiter);
        settle();
        this.forgetIfIdle(app);
        reject(error);
      };
      const onAbort = () => leave(queryErrors.cancelled());
      const waiter: Waiter = {
        ticket,
        app,
        grant: () => {
          settle();
          resolve(this.releaser(app));
        },
      };
      const timer = setTimeout(() => leave(queryErrors.timeout(ticket.timeoutMessage)), Math.max(0, ticket.deadline - Date.now()));
      signal?.addEventListener('abort', onAbort, { once: true });
      app.waiting.push(waiter);
      org.queued += 1;
      org.queuedBytes += ticket.cost;
      org.waitingApps.add(app);
      this.waitingOrgs.add(org);
    });
  }

  /** Takes a waiter out of its organization's counts (it has already left its app's queue). */
  private dequeued(waiter: Waiter): void {
    const { app } = waiter;
    const org = app.org;
    org.queued -= 1;
    org.queuedBytes -= waiter.ticket.cost;
    if (app.waiting.length === 0) org.waitingApps.delete(app);
    if (org.queued === 0) this.waitingOrgs.delete(org);
  }

  /** Starts waiting queries, the fairest first, while they may start. */
  private dispatch(): void {
    for (;;) {
      const org = fairest(this.waitingOrgs);
      // The fairest organization has the fewest running: if it may not start, none may.
      if (!org || !this.canStart(org)) return;
      const app = fairest(org.waitingApps)!;
      const waiter = app.waiting.shift()!;
      this.dequeued(waiter);
      this.start(app);
      waiter.grant();
    }
  }

  private forgetIfIdle(app: AppState): void {
    const org = app.org;
    if (app.running === 0 && app.waiting.length === 0 && org.apps.get(app.appId) === app) org.apps.delete(app.appId);
    if (org.running === 0 && org.queued === 0 && this.orgs.get(org.orgId) === org) this.orgs.delete(org.orgId);
  }
}
