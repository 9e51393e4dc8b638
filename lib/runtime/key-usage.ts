import type { KeyStore, StoredKey } from './key-store';

const MINUTE_MS = 60_000;
/** Keys tracked at most; beyond it, idle keys are forgotten first (memory stays bounded). */
const MAX_KEYS = 100_000;

type Tracked = { digest: string; pending: Map<number, number>; lastAt: number; lastWrite: number; timer?: ReturnType<typeof setTimeout> };

/**
 * Counts the requests each key opens, per minute, and writes them in batches: the first request
 * after a quiet interval is written at once (so "last used" is right away), later ones at most
 * once per interval per key (so the hot path is not a database write per request, and the
 * General page lags by one interval at most). In memory, per process; each instance adds its own
 * counts to the same rows.
 */
export class KeyUsageRecorder {
  private readonly keys = new Map<string, Tracked>();

  constructor(
    private readonly store: Pick<KeyStore, 'recordUse'>,
    private readonly intervalMs: number,
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  record(key: Pick<StoredKey, 'id' | 'digest'>, now: number = Date.now()): void {
    let tracked = this.keys.get(key.id);
    if (!tracked || tracked.digest !== key.digest) {
      // A new key, or the same slot regenerated: the old key's pending counts are dropped.
      if (tracked?.timer) clearTimeout(tracked.timer);
      if (!tracked && this.keys.size >= MAX_KEYS) this.forgetIdle(now);
      tracked = { digest: key.digest, pending: new Map(), lastAt: now, lastWrite: tracked?.lastWrite ?? -Infinity };
      this.keys.set(key.id, tracked);
    }
    const minute = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    tracked.pending.set(minute, (tracked.pending.get(minute) ?? 0) + 1);
    tracked.lastAt = now;
    if (now - tracked.lastWrite >= this.intervalMs) {
      void this.flush(key.id, tracked, now);
    } else if (!tracked.timer) {
      const entry = tracked;
      entry.timer = setTimeout(() => void this.flush(key.id, entry, Date.now()), entry.lastWrite + this.intervalMs - now);
      entry.timer.unref();
    }
  }

  /** Writes what is pending (on shutdown). */
  async close(): Promise<void> {
    await Promise.all([...this.keys].map(([id, tracked]) => this.flush(id, tracked, Date.now())));
  }

  private async flush(keyId: string, tracked: Tracked, now: number): Promise<void> {
    if (tracked.timer) clearTimeout(tracked.timer);
    tracked.timer = undefined;
    tracked.lastWrite = now;
    const pending = [...tracked.pending];
    tracked.pending.clear();
    for (const [minute, count] of pending) {
      try {
        // Bookkeeping never holds up or fails a query.
        await this.store.recordUse({ keyId, digest: tracked.digest, lastUsedAt: new Date(tracked.lastAt), minute: new Date(minute), count });
      } catch (error) {
        this.log(`[runtime] could not record key use: ${error instanceof Error ? error.name : 'unknown error'}`);
      }
    }
  }

  private forgetIdle(now: number): void {
    for (const [id, tracked] of this.keys) {
      if (tracked.pending.size === 0 && now - tracked.lastWrite >= this.intervalMs) this.keys.delete(id);
    }
  }
}
