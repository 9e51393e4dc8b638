import * as grpc from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import { authorize, peerAddress } from '@/lib/runtime/flight/auth';
import type { FlightContext, FlightKey } from '@/lib/runtime/flight/context';
import { toStatus } from '@/lib/runtime/flight/errors';
import { UPLOAD_LIMITS, UploadBudget } from '@/lib/runtime/flight/prepared';
import { PreparedStatements } from '@/lib/runtime/flight/statements';
import { FailureLimiter } from '@/lib/shared/http/failure-limiter';

it('reads the client address from a gRPC peer', () => {
  expect(peerAddress('ipv4:127.0.0.1:50000')).toBe('127.0.0.1');
  expect(peerAddress('ipv6:[::1]:50000')).toBe('::1');
  expect(peerAddress('ipv6:[2001:db8::1]:443')).toBe('2001:db8::1');
  // What grpc-js's getPeer() gives: the port always last, IPv6 without brackets.
  expect(peerAddress('127.0.0.1:50000')).toBe('127.0.0.1');
  expect(peerAddress('::1:50000')).toBe('::1');
  expect(peerAddress('2001:db8::1:443')).toBe('2001:db8::1');
  // An IPv4 client on a dual-stack socket counts as its IPv4 address, as on the HTTP door.
  expect(peerAddress('::ffff:10.0.0.1:50000')).toBe('10.0.0.1');
});

it('takes the key from a Bearer header on each call, and counts anything else against the caller’s address', async () => {
  const key: FlightKey = { id: 'k1', appId: 1, orgId: 'o1', digest: 'd' };
  const presented: (string | undefined)[] = [];
  const used: FlightKey[] = [];
  const unused = () => Promise.reject(new Error('not called'));
  const context: FlightContext = {
    deps: {
      authenticate: async (value) => {
        presented.push(value);
        return value === 'good' ? key : null;
      },
      limiter: new FailureLimiter(2),
      engine: { stream: unused, describe: unused },
      tls: null,
      ticketSecret: Buffer.alloc(32),
      onAuthenticated: (k) => used.push(k),
    },
    statements: new PreparedStatements({ ttlMs: 1000, perKey: 1, total: 1 }),
    running: new Set(),
    uploads: new UploadBudget(UPLOAD_LIMITS),
    log: () => undefined,
    limits: { stallTimeoutMs: 1000, putIdleMs: 1000, maxCatalogRows: 10 },
  };
  const call = (authorization: string | null, peer = 'ipv4:10.0.0.1:5000') => {
    const metadata = new grpc.Metadata();
    if (authorization !== null) metadata.set('authorization', authorization);
    return { metadata, getPeer: () => peer };
  };
  // The status the client sees: the error as the Flight door puts it on the wire.
  const codeOf = (promise: Promise<unknown>) =>
    promise.then(
      () => 'ok',
      (error: unknown) => toStatus(error, () => undefined).code,
    );

  expect(await authorize(context, call('bearer good  '))).toEqual(key);
  expect(used).toEqual([key]);
  expect(await codeOf(authorize(context, call(null)))).toBe(grpc.status.UNAUTHENTICATED);
  expect(await codeOf(authorize(context, call(`Basic ${Buffer.from(':good').toString('base64')}`)))).toBe(grpc.status.UNAUTHENTICATED);
  expect(await codeOf(authorize(context, call('Bearer bad')))).toBe(grpc.status.RESOURCE_EXHAUSTED);
  expect(await codeOf(authorize(context, call('Bearer bad', 'ipv4:10.0.0.2:5000')))).toBe(grpc.status.UNAUTHENTICATED);
  expect(await codeOf(authorize(context, call('Bearer good')))).toBe('ok');
  // Only a bearer token reaches the key check: no header and a Basic header present nothing.
  expect(presented).toEqual(['good', 'bad', 'bad', 'good']);
});
