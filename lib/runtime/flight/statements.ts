import { randomBytes } from 'node:crypto';
import type { QueryParameters } from '../query-engine';

export type PreparedStatement = {
  keyId: string;
  appId: number;
  sql: string;
  /** The result's columns as an encapsulated Arrow IPC schema. */
  schema: Uint8Array;
  parameterCount: number;
  parameterNames: string[];
  /** Bound by DoPut; none until then. */
  parameters: QueryParameters;
  expiresAt: number;
};

/**
 * Prepared statements by handle, in memory. A handle is 16 random bytes, bound to the app whose
 * key created it (another app's key finds nothing), expires after `ttlMs` without use, and each
 * key holds at most `perKey` and the server at most `total` (across all keys): beyond either, the
 * least recently used statement (of the key, or of all) is dropped. (Dropping rather than
 * refusing, because common clients never close: the Rust Flight SQL client prepares every query
 * it runs.)
 */
export class PreparedStatements {
  /** In order of last use, least recent first (each use moves a statement to the end). */
  private readonly byHandle = new Map<string, PreparedStatement>();

  constructor(private readonly limits: { ttlMs: number; perKey: number; total: number }) {}

  create(statement: Omit<PreparedStatement, 'expiresAt' | 'parameters'>, now = Date.now()): Buffer {
    this.prune(now);
    let mine = 0;
    for (const existing of this.byHandle.values()) if (existing.keyId === statement.keyId) mine += 1;
    for (const [id, existing] of this.byHandle) {
      if (mine < this.limits.perKey) break;
      if (existing.keyId !== statement.keyId) continue;
      this.byHandle.delete(id);
      mine -= 1;
    }
    for (const id of this.byHandle.keys()) {
      if (this.byHandle.size < this.limits.total) break;
      this.byHandle.delete(id);
    }
    const handle = randomBytes(16);
    this.byHandle.set(handle.toString('hex'), { ...statement, parameters: [], expiresAt: now + this.limits.ttlMs });
    return handle;
  }

  /** The app's statement for this handle, its lifetime renewed; null when unknown, expired or another app's. */
  get(handle: Uint8Array, appId: number, now = Date.now()): PreparedStatement | null {
    const id = Buffer.from(handle).toString('hex');
    const statement = this.byHandle.get(id);
    if (!statement || statement.appId !== appId) return null;
    if (statement.expiresAt <= now) {
      this.byHandle.delete(id);
      return null;
    }
    statement.expiresAt = now + this.limits.ttlMs;
    this.byHandle.delete(id);
    this.byHandle.set(id, statement);
    return statement;
  }

  /** Closes the app's statement; false when there was none. */
  close(handle: Uint8Array, appId: number): boolean {
    const id = Buffer.from(handle).toString('hex');
    const statement = this.byHandle.get(id);
    if (!statement || statement.appId !== appId) return false;
    this.byHandle.delete(id);
    return true;
  }

  get size(): number {
    return this.byHandle.size;
  }

  /** Drops the expired statements: the least recently used come first, so the scan stops at the first live one. */
  private prune(now: number): void {
    for (const [id, statement] of this.byHandle) {
      if (statement.expiresAt > now) break;
      this.byHandle.delete(id);
    }
  }
}
