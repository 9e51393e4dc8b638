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

export class TooManyStatementsError extends Error {}

/**
 * Prepared statements by handle, in memory. A handle is 16 random bytes, bound to the app whose
 * key created it (another app's key finds nothing), expires after `ttlMs` without use, and each
 * key may hold at most `perKey` open statements.
 */
export class PreparedStatements {
  private readonly byHandle = new Map<string, PreparedStatement>();

  constructor(private readonly limits: { ttlMs: number; perKey: number }) {}

  create(statement: Omit<PreparedStatement, 'expiresAt' | 'parameters'>, now = Date.now()): Buffer {
    this.prune(now);
    let open = 0;
    for (const existing of this.byHandle.values()) if (existing.keyId === statement.keyId) open += 1;
    if (open >= this.limits.perKey) {
      throw new TooManyStatementsError(`A key may hold at most ${this.limits.perKey} open prepared statements; close some first.`);
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
