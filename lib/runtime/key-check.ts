import { checkKey, type KeyCheckOutcome, type KeyStore, type StoredKey } from './key-store';
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
    const result = await checkKey(presented, this.store, this.digestSecret, this.unknownKeys);
    this.metrics?.keyChecked(door, result.outcome, (performance.now() - started) / 1000);
    return result;
  }
}
