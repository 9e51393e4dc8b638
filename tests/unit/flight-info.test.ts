import { describe, expect, it } from 'vitest';
import { decodeTicket, encodeTicket, flightTicketSecret } from '@/lib/runtime/flight/tickets';

describe('tickets', () => {
  const secret = flightTicketSecret(Buffer.alloc(32, 1));

  it('carry the app, the SQL and typed parameters, and are refused for another app', () => {
    const ticket = encodeTicket({ appId: 7, sql: 'SELECT $1, $2, $3', parameters: [2n ** 60n, 'x', new Uint8Array([1, 2])] }, secret);
    expect(decodeTicket(ticket, 7, secret)).toEqual({ appId: 7, sql: 'SELECT $1, $2, $3', parameters: [2n ** 60n, 'x', new Uint8Array([1, 2])] });
    expect(decodeTicket(ticket, 8, secret)).toBeNull();
    expect(decodeTicket(Buffer.from('SELECT 1'), 7, secret)).toBeNull();
    expect(decodeTicket(encodeTicket({ appId: 7, sql: 'SELECT 1', parameters: [], builtin: 'tables-with-schemas' }, secret), 7, secret)?.builtin).toBe(
      'tables-with-schemas',
    );
  });

  it('are signed: a changed, unsigned or otherwise signed ticket is refused', () => {
    const ticket = encodeTicket({ appId: 7, sql: 'SELECT 1', parameters: [] }, secret).toString();
    const payload = ticket.slice(ticket.indexOf('.') + 1);
    const builtin = payload.replace('}', ',"b":"tables-with-schemas"}');
    const signature = ticket.slice(0, ticket.indexOf('.'));
    expect(decodeTicket(Buffer.from(`${signature}.${builtin}`), 7, secret)).toBeNull();
    expect(decodeTicket(Buffer.from(`spt1:${builtin}`), 7, secret)).toBeNull();
    expect(decodeTicket(Buffer.from(`spt2:.${payload}`), 7, secret)).toBeNull();
    expect(decodeTicket(Buffer.from(ticket), 7, flightTicketSecret(Buffer.alloc(32, 2)))).toBeNull();
    expect(decodeTicket(Buffer.from(ticket), 7, secret)).not.toBeNull();
  });
});

describe('GetSqlInfo', () => {
  it('answers the requested entries in Flight SQL’s dense-union shape, readable by Arrow', async () => {
    const { sqlInfoTable } = await import('@/lib/runtime/flight/sql-info');
    const { tableToIPC: write, tableFromIPC: read, UnionMode } = await import('apache-arrow');
    const table = read(write(sqlInfoTable([504, 3, 0, 503, 9999])));
    expect((table.schema.fields[1]!.type as { mode: number }).mode).toBe(UnionMode.Dense);
    const rows = Array.from({ length: table.numRows }, (_, i) => [table.getChild('info_name')!.get(i), table.getChild('value')!.get(i)]);
    expect(rows).toEqual([
      [504, '"'],
      [3, true],
      [0, 'Spice Portal runtime'],
      [503, 1],
    ]);
    expect(read(write(sqlInfoTable([]))).numRows).toBeGreaterThan(10);
  });
});
