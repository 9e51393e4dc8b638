import { describe, expect, it } from 'vitest';

describe('errors on the wire', () => {
  it('map as the HTTP door maps them, with the same messages, and hide the rest', async () => {
    const { toStatus } = await import('@/lib/runtime/flight/errors');
    const { queryErrors } = await import('@/lib/runtime/query-engine');
    const { AppError } = await import('@/lib/shared/errors');
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    expect(toStatus(queryErrors.invalid('Table x does not exist'), log)).toMatchObject({ code: 3, details: 'Table x does not exist' });
    expect(toStatus(queryErrors.timeout('The query ran longer than 30 s and was stopped.'), log)).toMatchObject({
      code: 4,
      details: 'The query ran longer than 30 s and was stopped.',
    });
    expect(toStatus(queryErrors.limit('result_too_large', 'The result passed 16 MiB.'), log)).toMatchObject({ code: 3, details: 'The result passed 16 MiB.' });
    expect(toStatus(queryErrors.queueFull('Too many queries for this app.', 1), log)).toMatchObject({ code: 8, details: 'Too many queries for this app.' });
    expect(toStatus(queryErrors.limit('memory_limit', 'The query needs more memory than this app may use.'), log)).toMatchObject({ code: 3 });
    expect(toStatus(queryErrors.cancelled(), log)).toMatchObject({ code: 1 });
    expect(toStatus(new AppError('rate_limited', 'Too many failed authentications. Try again later.'), log)).toMatchObject({
      code: 8,
      details: 'Too many failed authentications. Try again later.',
    });
    expect(toStatus(new AppError('unauthorized', 'Unauthorized'), log)).toMatchObject({ code: 16, details: 'Unauthorized' });
    expect(toStatus(new Error('ENOENT: /srv/secret/path'), log)).toMatchObject({ code: 13, details: 'Internal error' });
    expect(logs).toEqual(['flight: internal error (Error)']);
    // The trailers carry nothing to the client (the error code is only remembered, for the call's log line).
    const { errorCodeOf } = await import('@/lib/runtime/flight/errors');
    const trailers = toStatus(queryErrors.queueFull('Full.', 1), log).metadata!;
    expect([trailers.toJSON(), errorCodeOf(trailers)]).toEqual([{}, 'queue_full']);
  });
});
