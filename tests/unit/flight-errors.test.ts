import { describe, expect, it } from 'vitest';

describe('errors on the wire', () => {
  it('map as the HTTP door maps them, with the same messages, and hide the rest', async () => {
    const { toStatus } = await import('@/lib/runtime/flight/errors');
    const { QueryError, QueryLimitError, QueryQueueFullError, QueryTimeoutError } = await import('@/lib/runtime/query-engine');
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    expect(toStatus(new QueryError('Table x does not exist'), log)).toEqual({ code: 3, details: 'Table x does not exist' });
    expect(toStatus(new QueryTimeoutError('The query ran longer than 30 s and was stopped.'), log)).toEqual({ code: 4, details: 'The query ran longer than 30 s and was stopped.' });
    expect(toStatus(new QueryLimitError('The result passed 16 MiB.'), log)).toEqual({ code: 3, details: 'The result passed 16 MiB.' });
    expect(toStatus(new QueryQueueFullError('Too many queries for this app.', 1), log)).toEqual({ code: 8, details: 'Too many queries for this app.' });
    expect(toStatus(new Error('ENOENT: /srv/secret/path'), log)).toEqual({ code: 13, details: 'Internal error' });
    expect(logs).toEqual(['flight: internal error (Error)']);
  });
});
