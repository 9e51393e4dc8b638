/**
 * Failed authentications per client address, in fixed one-minute windows. Only failures count,
 * so clients with valid keys are never slowed by someone else's. In memory, per process.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  /** `perMinute` 0 switches the limiter off. */
  constructor(private readonly perMinute: number, private readonly windowMs = 60_000) {}

  /** Seconds until the address may try again, or 0 when it is not blocked. */
  retryAfter(address: string, now: number): number {
    if (this.perMinute === 0) return 0;
    const window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs || window.failures < this.perMinute) return 0;
    return Math.max(1, Math.ceil((window.start + this.windowMs - now) / 1000));
  }

  recordFailure(address: string, now: number): void {
    if (this.perMinute === 0) return;
    const window = this.windows.get(address);
    if (!window || now - window.start >= this.windowMs) {
      this.windows.set(address, { start: now, failures: 1 });
      if (this.windows.size > 100_000) this.prune(now);
    } else {
      window.failures += 1;
    }
  }

  private prune(now: number): void {
    for (const [address, window] of this.windows) if (now - window.start >= this.windowMs) this.windows.delete(address);
  }
}
