/**
 * Decides when to write a key's "last used" time: at most once per interval per key, so that the
 * hot path is not a database write per request. In memory, per process.
 */
export class LastUsedThrottle {
  private readonly written = new Map<string, number>();

  constructor(private readonly intervalMs: number) {}

  /** True when this use should be written now. */
  shouldWrite(keyId: string, now: number): boolean {
    const last = this.written.get(keyId);
    if (last !== undefined && now - last < this.intervalMs) return false;
    this.written.set(keyId, now);
    if (this.written.size > 100_000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [keyId, at] of this.written) if (now - at >= this.intervalMs) this.written.delete(keyId);
  }
}
