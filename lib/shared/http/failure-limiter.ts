import { AppError, SHARED_MESSAGES } from '../errors';

/**
 * Failed authentications per client address, in fixed one-minute windows. Only failures count,
 * so clients with valid keys are never slowed by someone else's. In memory, per process.
 */
/** Addresses tracked at most: beyond it the oldest windows go first (memory and time stay bounded). */
const MAX_ADDRESSES = 100_000;

export class FailureLimiter {
  private readonly windows = new Map<string, { start: number; failures: number }>();

  /** `perMinute` 0 switches the limiter off. */
  constructor(
    private readonly perMinute: number,
    private readonly windowMs = 60_000,
  ) {}

  /** Addresses currently tracked. */
  get tracked(): number {
    return this.windows.size;
  }

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
      // Re-inserted, so that the map stays ordered by window start (oldest first).
      this.windows.delete(address);
      this.windows.set(address, { start: now, failures: 1 });
      if (this.windows.size > MAX_ADDRESSES) this.prune(now);
    } else {
      window.failures += 1;
    }
  }

  /**
   * Drops expired windows, oldest first, stopping at the first current one (the map is ordered by
   * start); when every window is current (failures from more addresses than it tracks), the
   * oldest tenth goes. Either way each call does bounded work per entry it removes.
   */
  private prune(now: number): void {
    for (const [address, window] of this.windows) {
      if (now - window.start < this.windowMs) break;
      this.windows.delete(address);
    }
    if (this.windows.size <= MAX_ADDRESSES) return;
    let excess = this.windows.size - MAX_ADDRESSES * 0.9;
    for (const address of this.windows.keys()) {
      if (excess-- <= 0) break;
      this.windows.delete(address);
    }
  }
}

/**
 * Authenticate, or count a failure and refuse: the one gate in front of every door that takes a
 * credential (the runtime's /v1/sql and Flight, the management API). `check` answers the
 * credential's owner, or null. Only failures are limited: a valid credential is answered even
 * from an address over the limit, so someone else's failures never lock it out. A failure is a
 * `rate_limited` AppError (with the wait) once the address has failed too often, else
 * `refusal()` (each door's own 401 wording).
 */
export async function authenticateOrRefuse<T>(
  limiter: FailureLimiter,
  address: string,
  check: () => Promise<T | null | undefined>,
  refusal: () => AppError = () => new AppError('unauthorized', SHARED_MESSAGES.unauthorized),
): Promise<T> {
  const owner = await check();
  if (owner !== null && owner !== undefined) return owner;
  throw refused(limiter, address, refusal);
}

/**
 * The gate's answer to a credential already known to fail (its check needed no I/O): the
 * failure counted, and the error to answer, as authenticateOrRefuse would, without a promise.
 */
export function refused(
  limiter: FailureLimiter,
  address: string,
  refusal: () => AppError = () => new AppError('unauthorized', SHARED_MESSAGES.unauthorized),
): AppError {
  const now = Date.now();
  const wait = limiter.retryAfter(address, now);
  if (wait > 0) return new AppError('rate_limited', SHARED_MESSAGES.tooManyFailures, { retryAfter: wait });
  limiter.recordFailure(address, now);
  return refusal();
}
