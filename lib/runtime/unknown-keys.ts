import { LRUCache } from 'lru-cache';

/** Digests remembered at most (about 15 MB at 100,000), and for how long each. */
export const UNKNOWN_KEYS_MAX = 100_000;
export const UNKNOWN_KEYS_TTL_MS = 60_000;

/**
 * The lookup digests that had no row at all in the database, remembered for a while so that a
 * client that keeps presenting the same unknown key (a forgotten client after a regeneration, a
 * script with a typo) is answered 401 without a round trip. Bounded in entries and in time; one
 * per process, shared by both doors.
 *
 * Why it cannot accept a stale key: it only ever refuses. A hit is a 401; an acceptance always
 * comes from a database read made for that very request (authenticateKey), and nothing about a
 * key that was found is remembered, so a key regenerated or deleted through any instance is
 * refused on its next request, as without the cache.
 *
 * Why it cannot refuse a new key: a digest is remembered only after a lookup found no row with
 * it, of any kind (KeyStore.findByDigest answers null only then). A key's digest is committed to
 * the database before the key is shown to anyone (the portal's transaction commits, then the key
 * is returned), and each lookup reads everything committed before it began (PostgreSQL's read
 * committed, SQLite's autocommit reads). So any request presenting a key that someone was shown
 * begins after that key's row is committed, and finds it: its digest can never be remembered as
 * unknown. To remember a new key's digest as unknown, its lookup must have begun before the key
 * existed, that is, by someone who presented it before anyone was shown it: a guess of ~178 bits
 * of CSPRNG output. The TTL bounds even that, and the one operator-made case where a digest
 * missed and then appears (secrets rotated away and back while an instance kept running with
 * the old ones): such a digest is refused for UNKNOWN_KEYS_TTL_MS at most, then looked up again.
 */
export class UnknownKeys {
  private readonly digests: LRUCache<string, true>;
  /** Refusals answered from memory, and lookups that found no row (then remembered). */
  readonly stats = { hits: 0, misses: 0 };

  constructor(options: { max?: number; ttlMs?: number } = {}) {
    this.digests = new LRUCache({ max: options.max ?? UNKNOWN_KEYS_MAX, ttl: options.ttlMs ?? UNKNOWN_KEYS_TTL_MS, ttlAutopurge: false });
  }

  /** Whether this digest had no row when last looked up, within the TTL: counted as a hit. */
  known(digest: string): boolean {
    if (!this.digests.has(digest)) return false;
    this.stats.hits += 1;
    return true;
  }

  /** A lookup of this digest found no row at all (never call it for a row of any state). */
  remember(digest: string): void {
    this.stats.misses += 1;
    this.digests.set(digest, true);
  }

  get size(): number {
    return this.digests.size;
  }
}
