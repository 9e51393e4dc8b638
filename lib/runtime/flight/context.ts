import type { FailureLimiter } from '../../shared/http/failure-limiter';
import type { QueryEngine } from '../query-engine';
import type { RunningQueries } from '../revocation';
import type { FlightCallEnd } from './observe';
import type { UploadBudget } from './prepared';
import type { PreparedStatements } from './statements';

/** What the runtime's key check returns for a current key. */
export type FlightKey = { id: string; appId: number; orgId: string; digest: string; slot?: number };

export type FlightServerDeps = {
  /** The runtime's key check (authenticateKey on the key store): called on every call; only digests with no row are remembered (unknown-keys.ts). */
  authenticate(presented: string | undefined): Promise<FlightKey | null>;
  /** Failed authentications per address: the HTTP door's instance, so failures count once per address. */
  limiter: FailureLimiter;
  engine: QueryEngine;
  /** PEM certificate and key to serve TLS with, or null for plain gRPC. */
  tls: { cert: Buffer; key: Buffer } | null;
  /**
   * The running queries, cancelled when their key is revoked (UNAUTHENTICATED): the HTTP door's
   * instance (lib/runtime/main.ts). Without it, a DoGet runs on after its key is revoked.
   */
  revocation?: Pick<RunningQueries, 'register'>;
  /** Told about each authenticated call, e.g. to record the key's last use. */
  onAuthenticated?(key: FlightKey): void;
  log?(message: string): void;
  /** Told about each call as it ends (its request id, method, status, duration, app and slot): the runtime's metrics and log. */
  onCall?(call: FlightCallEnd): void;
  /** Prepared statements: idle lifetime, how many one key and all keys together may hold open. */
  statements?: { ttlMs?: number; perKey?: number; total?: number };
  /**
   * The key tickets are signed with (HMAC-SHA256): the same on every instance, so that any of
   * them redeems another's tickets. flightTicketSecret(KEY_DIGEST_SECRET) derives it.
   */
  ticketSecret: Buffer;
  /**
   * How long DoGet waits for a client that takes no data before it ends the call
   * (DEADLINE_EXCEEDED) and frees the query's slot: the query time limit (30 s by default).
   */
  stallTimeoutMs?: number;
  /** DoPut fails when the client sends nothing for this long (5 s by default). */
  putIdleMs?: number;
  /** DoPuts open at once per key and per app, and the bytes all of them may hold (8, 8 and 64 MiB by default). */
  uploads?: Partial<{ perKey: number; perApp: number; totalBytes: number }>;
  /** Largest number of builtin catalog rows (GetTables with schemas) collected; 10,000 by default. */
  maxCatalogRows?: number;
};

/** What every handler is given: the server's deps, its state, and the limits with their defaults filled in. */
export type FlightContext = {
  deps: FlightServerDeps;
  statements: PreparedStatements;
  /** One controller per DoGet in progress, aborted when the server closes. */
  running: Set<AbortController>;
  /** What DoPuts hold, all connections together. */
  uploads: UploadBudget;
  log(message: string): void;
  limits: { stallTimeoutMs: number; putIdleMs: number; maxCatalogRows: number };
};
