import { lookUpKey, precheckKey, type KeyCheckOutcome, type KeyStore, type StoredKey } from './key-store';
import type { Door, RuntimeMetrics } from './metrics';
import { UnknownKeys } from './unknown-keys';

/**
 * The key check both doors call: checkKey on the shared key store, with one process-wide memory
 * of digests that have no row (unknown-keys.ts), each check timed by door and outcome.
 */
export class KeyChecker {
  constructor(
    private readonly store: KeyStore,
    private readonly digestSecret: Buffer,
    readonly unknownKeys: UnknownKeys = new UnknownKeys(),
    private readonly metrics?: RuntimeMetrics,
  ) {}

  async check(door: Door, presented: string | undefined): Promise<{ key: StoredKey | null; outcome: KeyCheckOutcome }> {
    const started = performance.now();
    const first = this.precheck(door, presented, started);
    if (first.refused) return { key: null, outcome: first.refused };
    const result = await lookUpKey(first.digest, this.store, this.unknownKeys);
    this.metrics?.keyChecked(door, result.outcome, (performance.now() - started) / 1000);
    return result;
  }

  /**
   * The check's first part, synchronous: a refusal that needed no I/O (malformed, or remembered
   * as unknown; timed as a whole check), or the digest `check` would look up. The HTTP door
   * answers those refusals without a promise: the 401 of a forgotten client costs a hash.
   */
  precheck(
    door: Door,
    presented: string | undefined,
    started = performance.now(),
  ): { refused: 'malformed' | 'unknown_cached' } | { refused?: undefined; digest: string } {
    const first = precheckKey(presented, this.digestSecret, this.unknownKeys);
    if ('digest' in first) return first;
    this.metrics?.keyChecked(door, first.outcome, (performance.now() - started) / 1000);
    return { refused: first.outcome };
  }

  /** The lookup after a precheck that did not refuse. */
  async lookUp(door: Door, digest: string, started: number): Promise<StoredKey | null> {
    const result = await lookUpKey(digest, this.store, this.unknownKeys);
    this.metrics?.keyChecked(door, result.outcome, (performance.now() - started) / 1000);
    return result.key;
  }
}
