import { randomBytes } from 'node:crypto';
import type { QueryColumns, QueryParameters } from '../query-engine';

export type PreparedStatement = {
  keyId: string;
  appId: number;
  sql: string;
  columns: QueryColumns;
  parameterCount: number;
  parameterNames: string[];
  /** Bound by DoPut; none until then. */
  parameters: QueryParameters;
  expiresAt: number;
};

/**
 * Prepared statements by handle, in memory. A handle is 16 random bytes, bound to the app whose
 * key created it (another app's key finds nothing), expires after `ttlMs` without use, and each
 * key holds at most `perKey`: beyond that its least recently used statement is dropped. (Dropping
 * rather than refusing, because common clients never close: the Rust Flight SQL client prepares
 * every query it runs.)
 */
export class PreparedStatements {
  private readonly byHandle = new Map<string, PreparedStatement>();

  constructor(private readonly limits: { ttlMs: number; perKey: number }) {}

  create(statement: Omit<PreparedStatement, 'expiresAt' | 'parameters'>, now = Date.now()): Buffer {
    this.prune(now);
    const mine = [...this.byHandle].filter(([, existing]) => existing.keyId === statement.keyId);
    if (mine.length >= this.limits.perKey) {
      mine.sort(([, a], [, b]) => a.expiresAt - b.expiresAt);
      for (const [id] of mine.slice(0, mine.length - this.limits.perKey + 1)) this.byHandle.delete(id);
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

  private prune(now: number): void {
    for (const [id, statement] of this.byHandle) if (statement.expiresAt <= now) this.byHandle.delete(id);
  }
}
