import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { PreparedStatements } from '@/lib/runtime/flight/statements';
import { parametersFromIpc } from '@/lib/runtime/flight/tickets';

describe('prepared statements', () => {
  const statement = (keyId: string, appId = 1) => ({ keyId, appId, sql: 'SELECT 1', schema: new Uint8Array(), parameterCount: 0, parameterNames: [] });

  it('are bound to their app and expire when unused', () => {
    const statements = new PreparedStatements({ ttlMs: 1000, perKey: 10, total: 100 });
    const handle = statements.create(statement('k1'), 0);
    expect(statements.get(handle, 2, 10)).toBeNull();
    expect(statements.get(handle, 1, 900)).not.toBeNull();
    expect(statements.get(handle, 1, 1800)).not.toBeNull(); // used at 900: lives until 1900
    expect(statements.get(handle, 1, 3000)).toBeNull();
  });

  it('keep at most perKey per key, dropping the least recently used', () => {
    const statements = new PreparedStatements({ ttlMs: 60_000, perKey: 2, total: 100 });
    const a = statements.create(statement('k1'), 0);
    const b = statements.create(statement('k1'), 1);
    statements.get(a, 1, 2);
    const c = statements.create(statement('k1'), 3);
    const other = statements.create(statement('k2'), 4);
    expect([a, b, c, other].map((h) => statements.get(h, 1, 5) !== null)).toEqual([true, false, true, true]);
  });

  it('keep at most `total` across all keys, dropping the least recently used of any key', () => {
    const statements = new PreparedStatements({ ttlMs: 60_000, perKey: 10, total: 3 });
    const handles = ['k1', 'k2', 'k3'].map((key, i) => statements.create(statement(key), i));
    statements.get(handles[0]!, 1, 10); // k1's is now the most recently used
    const fourth = statements.create(statement('k4'), 11);
    expect(statements.size).toBe(3);
    expect([...handles, fourth].map((h) => statements.get(h, 1, 12) !== null)).toEqual([true, false, true, true]);
  });
});

describe('parameters bound with DoPut', () => {
  const ipc = (columns: Record<string, unknown[]>) => tableToIPC(tableFromArrays(columns as Parameters<typeof tableFromArrays>[0]), 'stream');

  it('takes positional columns by their number and named ones by name', () => {
    expect(parametersFromIpc(ipc({ $2: ['b'], $1: [1] }), { parameterCount: 2, parameterNames: ['1', '2'] })).toEqual([1, 'b']);
    expect(parametersFromIpc(ipc({ kind: ['cash'], count: [2] }), { parameterCount: 2, parameterNames: ['count', 'kind'] })).toEqual({
      kind: 'cash',
      count: 2,
    });
  });

  it('refuses a wrong count, a missing name and several rows', () => {
    expect(() => parametersFromIpc(ipc({ $1: [1] }), { parameterCount: 2, parameterNames: ['1', '2'] })).toThrow(
      'The query has 2 parameter(s) but 1 were given.',
    );
    expect(() => parametersFromIpc(ipc({ other: [1] }), { parameterCount: 1, parameterNames: ['count'] })).toThrow(/\$count/);
    expect(() => parametersFromIpc(ipc({ $1: [1, 2] }), { parameterCount: 1, parameterNames: ['1'] })).toThrow(/one row/);
  });
});
