import { AppError, SHARED_MESSAGES } from '../shared/errors';
import type { KeyStore, StoredKey } from './key-store';

/** What a running query's key is known by: its row, and the digest it was authenticated with. */
export type RevocableKey = Pick<StoredKey, 'id' | 'digest'>;

type Entry = { seq: number; key: RevocableKey; revoke: () => void };

/** How often running queries' keys are checked, by default (RUNTIME_REVOCATION_CHECK_MS). */
export const REVOCATION_CHECK_MS = 1000;

/**
 * The error a door ends a revoked query with: the runtime's usual 401 (UNAUTHENTICATED on
 * Flight). Doors abort their query's signal with it, which tells it apart from a client that
 * went away (that abort's reason is not an AppError, and nothing is sent).
 */
export function keyRevoked(): AppError {
  return new AppError('unauthorized', SHARED_MESSAGES.unauthorized);
}

/**
 * The queries running (or waiting, or streaming) on this instance, by key, so that one whose
 * key stops being current is cancelled: regenerated (the row's digest changed) or deleted (its
 * app was deleted: the rows cascade). A future "disabled" state is one more condition in
 * KeyStore.currentDigests.
 *
 * While anything is registered, and only then, it checks every `intervalMs`: one indexed query
 * for the distinct keys of the registered queries (KeyStore.currentDigests). Every instance polls
 * the shared database, so a change made through any portal reaches every instance within one
 * interval plus one poll, with nothing to deliver between them. A failed poll is logged and
 * tried again at the next tick; it never cancels anything.
 */
export class RunningQueries {
  private readonly entries = new Map<number, Entry>();
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  /** Polls run and the time the last one took, for measurement. */
  readonly stats = { polls: 0, lastPollMs: 0, totalPollMs: 0 };

  constructor(
    private readonly keys: Pick<KeyStore, 'currentDigests'>,
    private readonly options: { intervalMs?: number; log?: (message: string) => void } = {},
  ) {}

  /** Queries registered now. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Watches one query of `key` (the stored key it authenticated with): `revoke` is called once,
   * at most, when the key is no longer current. Returns the unregister function (idempotent),
   * to call however the query ends.
   */
  register(key: RevocableKey, revoke: () => void): () => void {
    const seq = ++this.seq;
    this.entries.set(seq, { seq, key: { id: key.id, digest: key.digest }, revoke });
    this.schedule();
    return () => void this.entries.delete(seq);
  }

  /** Stops watching (on shutdown); registered queries are left alone. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /**
   * One check: the current digest of every key with a registered query, and a revoke for each
   * query whose key is gone or changed. Only the queries registered before the check started
   * are judged: a query registered meanwhile may have authenticated with a key newer than what
   * the check read.
   */
  async check(): Promise<void> {
    const upTo = this.seq;
    const ids = [...new Set([...this.entries.values()].map((entry) => entry.key.id))];
    if (ids.length === 0) return;
    const started = performance.now();
    const current = await this.keys.currentDigests(ids);
    const took = performance.now() - started;
    this.stats.polls += 1;
    this.stats.lastPollMs = took;
    this.stats.totalPollMs += took;
    for (const entry of [...this.entries.values()]) {
      if (entry.seq > upTo || current.get(entry.key.id) === entry.key.digest) continue;
      this.entries.delete(entry.seq);
      try {
        entry.revoke();
      } catch (error) {
        this.log(`[runtime] could not cancel a revoked key's query: ${error instanceof Error ? error.name : 'unknown error'}`);
      }
    }
  }

  private log(message: string): void {
    (this.options.log ?? ((line: string) => console.log(line)))(message);
  }

  /** The next tick, while queries are registered (one at a time: a slow poll delays the next). */
  private schedule(): void {
    if (this.closed || this.timer || this.polling || this.entries.size === 0) return;
    this.timer = setTimeout(() => void this.tick(), this.options.intervalMs ?? REVOCATION_CHECK_MS);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = null;
    this.polling = true;
    try {
      await this.check();
    } catch (error) {
      // No key, no query, no path: the error's kind only.
      this.log(`[runtime] could not check running queries' keys: ${error instanceof Error ? error.name : 'unknown error'}`);
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
