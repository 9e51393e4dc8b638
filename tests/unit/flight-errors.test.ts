import { describe, expect, it } from 'vitest';

describe('errors on the wire', () => {
  it('map as the HTTP door maps them, with the same messages, and hide the rest', async () => {
    const { toStatus } = await import('@/lib/runtime/flight/errors');
    const { queryErrors } = await import('@/lib/runtime/query-engine');
    const { AppError } = await import('@/lib/shared/errors');
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    expect(toStatus(queryErrors.invalid('Table x does not exist'), log)).toEqual({ code: 3, details: 'Table x does not exist' });
    expect(toStatus(queryErrors.timeout('The query ran longer than 30 s and was stopped.'), log)).toEqual({
      code: 4,
      details: 'The query ran longer than 30 s and was stopped.',
    });
    expect(toStatus(queryErrors.limit('result_too_large', 'The result passed 16 MiB.'), log)).toEqual({ code: 3, details: 'The result passed 16 MiB.' });
    expect(toStatus(queryErrors.queueFull('Too many queries for this app.', 1), log)).toEqual({ code: 8, details: 'Too many queries for this app.' });
    expect(toStatus(queryErrors.limit('memory_limit', 'The query needs more memory than this app may use.'), log)).toMatchObject({ code: 3 });
    expect(toStatus(queryErrors.cancelled(), log)).toMatchObject({ code: 1 });
    expect(toStatus(new AppError('rate_limited', 'Too many failed authentications. Try again later.'), log)).toEqual({
      code: 8,
      details: 'Too many failed authentications. Try again later.',
    });
    expect(toStatus(new AppError('unauthorized', 'Unauthorized'), log)).toEqual({ code: 16, details: 'Unauthorized' });
    expect(toStatus(new Error('ENOENT: /srv/secret/path'), log)).toEqual({ code: 13, details: 'Internal error' });
    expect(logs).toEqual(['flight: internal error (Error)']);
  });
});
