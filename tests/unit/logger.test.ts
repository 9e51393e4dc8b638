import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { logLevel } from '@/lib/shared/log-level';
import { createLogger, requestId } from '@/lib/shared/logger';

describe('request ids', () => {
  it("keep a client's short printable id, and make a new one for anything else", () => {
    expect(requestId('trace-1.2:3/4+5=6@7_8')).toBe('trace-1.2:3/4+5=6@7_8');
    for (const bad of [undefined, '', 'x'.repeat(65), 'with space', 'new\nline', 'é', '<script>', ['a', 'b']]) {
      expect(requestId(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
    expect(requestId(undefined)).not.toBe(requestId(undefined));
  });
});

describe('the log', () => {
  it('takes LOG_LEVEL, refuses a wrong one by name, and writes one JSON object a line', () => {
    expect(logLevel({})).toBe('info');
    expect(logLevel({ LOG_LEVEL: '' })).toBe('info');
    expect(logLevel({ LOG_LEVEL: 'debug' })).toBe('debug');
    expect(() => logLevel({ LOG_LEVEL: 'loud' })).toThrow(/Invalid runtime configuration:\n {2}LOG_LEVEL/);
    const lines: string[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) });
    const logger = createLogger('runtime', { env: { LOG_LEVEL: 'info' }, destination });
    logger.debug({ route: '/health' }, 'request');
    logger.info({ requestId: 'r1', status: 401 }, 'request');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 30, name: 'runtime', requestId: 'r1', status: 401, msg: 'request' });
  });
});
