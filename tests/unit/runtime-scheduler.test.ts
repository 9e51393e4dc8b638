// The query scheduler (lib/runtime/scheduler.ts): fair between organizations, then between the
// apps of one, work-conserving, with the newcomer guarantee and bounded queues. Deterministic:
// queries are released one at a time, in order, and the event loop is only flushed
// (setImmediate) between steps; deadlines run on fake timers.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FairScheduler, type SchedulerLimits } from '@/lib/runtime/scheduler';

/** Runs what is already queued on the event loop: anything due now has happened afterwards. */
const flush = () => new Promise((resolve) => setImmediate(resolve));

/** Whether the promise settles without waiting for a timer. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => (done = true),
    () => (done = true),
  );
  await flush();
  return done;
}

type Running = { orgId: string; appId: number; release: () => void };

/** A scheduler, and the queries it has started so far, oldest first. */
function harness(limits: Partial<SchedulerLimits> = {}) {
  const scheduler = new FairScheduler({ slots: 4, queuedPerOrg: 1000, queuedBytesPerOrg: 1e9, ...limits });
  const running: Running[] = [];
  const starts: { orgId: string; appId: number }[] = [];
  function submit(orgId: string, appId: number, options: { cost?: number; waitMs?: number; signal?: AbortSignal } = {}) {
    const acquired = scheduler.acquire({
      orgId,
      appId,
      cost: options.cost ?? 10,
      deadline: Date.now() + (options.waitMs ?? 60_000),
      timeoutMessage: 'waited too long',
      signal: options.signal,
    });
    acquired.then(
      (release) => {
        running.push({ orgId, appId, release });
        starts.push({ orgId, appId });
      },
      () => undefined,
    );
    return acquired;
  }
  /** Releases the oldest running query and lets the one it hands its slot to start. */
  async function releaseOldest() {
    running.shift()!.release();
    await flush();
  }
  async function releaseAll() {
    while (running.length > 0) await releaseOldest();
  }
  const count = (list: { orgId: string; appId: number }[], orgId: string, appId?: number) =>
    list.filter((s) => s.orgId === orgId && (appId === undefined || s.appId === appId)).length;
  return { scheduler, running, starts, submit, releaseOldest, releaseAll, count };
}

const EMPTY = { running: 0, queued: 0, byOrg: new Map() };

afterEach(() => {
  vi.useRealTimers();
});

describe('fair shares', () => {
  it('gives two busy organizations half the slots each, whatever their number of apps, and shares an organization between its apps', async () => {
    const h = harness({ slots: 4 });
    // Organization a: one app; organization b: five apps. Both have many more queries than slots.
    for (let i = 0; i < 100; i++) void h.submit('a', 1);
    for (let i = 0; i < 100; i++) void h.submit('b', 10 + (i % 5));
    await flush();
    // a took every slot; b's first query started at once as a newcomer (the burst).
    expect(h.scheduler.snapshot().byOrg).toEqual(
      new Map([
        ['a', { running: 4, queued: 96 }],
        ['b', { running: 1, queued: 99 }],
      ]),
    );

    const before = h.starts.length;
    for (let i = 0; i < 60; i++) await h.releaseOldest();
    const window = h.starts.slice(before);
    expect(window.length).toBeGreaterThanOrEqual(58);
    expect(Math.abs(h.count(window, 'a') - window.length / 2)).toBeLessThanOrEqual(1);
    expect(Math.abs(h.count(window, 'b') - window.length / 2)).toBeLessThanOrEqual(1);
    // b's share goes round its five apps.
    const perApp = [10, 11, 12, 13, 14].map((app) => h.count(window, 'b', app));
    expect(Math.max(...perApp) - Math.min(...perApp)).toBeLessThanOrEqual(1);
    // Settled at two slots each.
    const { byOrg } = h.scheduler.snapshot();
    expect([byOrg.get('a')!.running, byOrg.get('b')!.running]).toEqual([2, 2]);
  });

  it('lets one app alone use every slot', async () => {
    const h = harness({ slots: 4 });
    for (let i = 0; i < 6; i++) void h.submit('a', 1);
    await flush();
    expect(h.scheduler.snapshot()).toEqual({ running: 4, queued: 2, byOrg: new Map([['a', { running: 4, queued: 2 }]]) });
    await h.releaseOldest();
    // The freed slot went to the next of its queries: still every slot busy.
    expect(h.scheduler.snapshot()).toMatchObject({ running: 4, queued: 1 });
  });

  it('within an organization, serves the app with the fewest running before older queries of a busier app', async () => {
    const h = harness({ slots: 2, burst: 0 });
    for (let i = 0; i < 5; i++) void h.submit('a', 1);
    await flush();
    void h.submit('a', 2);
    await flush();
    await h.releaseOldest();
    expect(h.starts.at(-1)).toEqual({ orgId: 'a', appId: 2 });
  });

  it('hands a released slot to the chosen waiter in the same call', async () => {
    const h = harness({ slots: 1, burst: 0 });
    const held = await h.submit('a', 1);
    const waiting = h.submit('b', 1);
    held();
    // Before anything else runs, b holds the slot: a query asking now waits.
    expect(h.scheduler.snapshot().byOrg).toEqual(new Map([['b', { running: 1, queued: 0 }]]));
    const late = h.submit('c', 1);
    expect(await settled(waiting)).toBe(true);
    expect(await settled(late)).toBe(false);
  });

  it('gives a slot back once, however often release is called', async () => {
    const h = harness({ slots: 1, burst: 0 });
    const held = await h.submit('a', 1);
    const second = h.submit('a', 1);
    held();
    held();
    expect(await settled(second)).toBe(true);
    expect(h.scheduler.snapshot()).toMatchObject({ running: 1, queued: 0 });
    expect(await settled(h.submit('a', 1))).toBe(false);
  });
});

describe('the newcomer guarantee', () => {
  it("starts an idle organization's first query at once while others hold every slot, up to slots + burst", async () => {
    const h = harness({ slots: 4 });
    for (let i = 0; i < 6; i++) void h.submit('a', 1);
    await flush();
    expect(h.scheduler.snapshot()).toMatchObject({ running: 4, queued: 2 });
    // b has nothing running: its first query starts beyond the slots; its second waits its turn.
    expect(await settled(h.submit('b', 1))).toBe(true);
    expect(await settled(h.submit('b', 1))).toBe(false);
    // The burst is ceil(4 / 2) = 2: c starts too, d waits.
    expect(await settled(h.submit('c', 1))).toBe(true);
    const d = h.submit('d', 1);
    expect(await settled(d)).toBe(false);
    expect(h.scheduler.snapshot().running).toBe(6);
    // A slot frees (still above `slots`): it goes to d, the organization with nothing running.
    await h.releaseOldest();
    expect(await settled(d)).toBe(true);
    // a's two and b's second still wait: no organization with something running passes `slots`.
    expect(h.scheduler.snapshot()).toMatchObject({ running: 6, queued: 3 });
  });
});

describe('bounded queues', () => {
  it('turns away a query beyond the count its organization may have waiting, and changes nothing', async () => {
    const h = harness({ slots: 1, burst: 0, queuedPerOrg: 2 });
    await h.submit('a', 1);
    void h.submit('a', 1);
    void h.submit('a', 2);
    await flush();
    const before = h.scheduler.snapshot();
    const refused = h.submit('a', 3);
    await expect(refused).rejects.toMatchObject({
      code: 'queue_full',
      options: { retryAfter: 1 },
      message: 'This organization already has 2 queries waiting (RUNTIME_MAX_QUEUED_QUERIES_PER_ORG). Try again shortly.',
    });
    expect(h.scheduler.snapshot()).toEqual(before);
    // Another organization's queue is its own.
    void h.submit('b', 1);
    await flush();
    expect(h.scheduler.snapshot().byOrg.get('b')).toEqual({ running: 0, queued: 1 });
  });

  it('turns away a query that would make its organization hold too many bytes of SQL waiting, and changes nothing', async () => {
    const h = harness({ slots: 1, burst: 0, queuedBytesPerOrg: 100 });
    // Running queries hold no queue bytes, however long.
    await h.submit('a', 1, { cost: 1000 });
    void h.submit('a', 1, { cost: 60 });
    await flush();
    const before = h.scheduler.snapshot();
    const refused = h.submit('a', 1, { cost: 50 });
    await expect(refused).rejects.toMatchObject({ code: 'queue_full', options: { retryAfter: 1 }, message: /RUNTIME_MAX_QUEUED_SQL_BYTES_PER_ORG/ });
    expect(h.scheduler.snapshot()).toEqual(before);
    expect(await settled(h.submit('a', 1, { cost: 40 }))).toBe(false);
    expect(h.scheduler.snapshot()).toMatchObject({ running: 1, queued: 2 });
  });

  it('gives the place and the bytes of a query that waited past its deadline back', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const h = harness({ slots: 1, burst: 0, queuedPerOrg: 1, queuedBytesPerOrg: 100 });
    await h.submit('a', 1);
    const late = h.submit('a', 1, { cost: 100, waitMs: 1000 });
    await expect(h.submit('a', 1)).rejects.toMatchObject({ code: 'queue_full' });
    vi.advanceTimersByTime(1000);
    await expect(late).rejects.toMatchObject({ code: 'timeout', message: 'waited too long' });
    expect(h.scheduler.snapshot()).toMatchObject({ running: 1, queued: 0 });
    // Its place and its 100 bytes are free again.
    const next = h.submit('a', 1, { cost: 100 });
    expect(await settled(next)).toBe(false);
    await h.releaseOldest();
    expect(await settled(next)).toBe(true);
  });

  it('gives the place and the bytes of a query whose client went away back', async () => {
    const h = harness({ slots: 1, burst: 0, queuedPerOrg: 1, queuedBytesPerOrg: 100 });
    await h.submit('a', 1);
    const gone = new AbortController();
    const leaving = h.submit('a', 1, { cost: 100, signal: gone.signal });
    await expect(h.submit('a', 1)).rejects.toMatchObject({ code: 'queue_full' });
    gone.abort();
    await expect(leaving).rejects.toMatchObject({ code: 'cancelled' });
    expect(await settled(h.submit('a', 1, { cost: 100 }))).toBe(false);
    // A signal that has already aborted never takes a place.
    const before = h.scheduler.snapshot();
    await expect(h.submit('b', 1, { signal: gone.signal })).rejects.toMatchObject({ code: 'cancelled' });
    expect(h.scheduler.snapshot()).toEqual(before);
  });
});

describe('memory', () => {
  it('forgets organizations and apps with nothing running and nothing waiting', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const h = harness({ slots: 2, burst: 0 });
    for (let i = 0; i < 10; i++) void h.submit(`org-${i % 3}`, i);
    // One that leaves on its deadline, one whose client goes away: both organizations had nothing running.
    const late = h.submit('late', 1, { waitMs: 500 });
    const gone = new AbortController();
    const leaving = h.submit('gone', 1, { signal: gone.signal });
    await flush();
    expect(h.scheduler.snapshot().byOrg.size).toBe(5);
    vi.advanceTimersByTime(500);
    gone.abort();
    await expect(late).rejects.toMatchObject({ code: 'timeout' });
    await expect(leaving).rejects.toMatchObject({ code: 'cancelled' });
    expect([...h.scheduler.snapshot().byOrg.keys()].sort()).toEqual(['org-0', 'org-1', 'org-2']);
    await h.releaseAll();
    expect(h.starts.length).toBe(10);
    expect(h.scheduler.snapshot()).toEqual(EMPTY);
  });
});
