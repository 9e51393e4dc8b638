import 'server-only';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DestinationStream, Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { db } from './db';
import { createLogger } from './shared/logger';

/**
 * The portal's metrics (GET /api/metrics, app/api/metrics/route.ts) and its request log. One of
 * each per process, kept on globalThis: Next.js may load this module once per bundle (route
 * handlers, server actions), and every bundle must count into the same registry.
 */
type Observability = {
  registry: Registry;
  logger: Logger;
  actions: Counter<'action' | 'result'>;
  api: Counter<'method' | 'route' | 'status'>;
  signIns: Counter<'method' | 'result'>;
};

const KEY = Symbol.for('spice-portal.observability');

function create(): Observability {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  // The outbox's backlog (notification emails, webhook deliveries), by channel, read from the database
  // when scraped: every instance reports the same shared table.
  new Gauge({
    name: 'portal_outbox_messages',
    help: 'Outbox messages by channel and status (pending, sent, failed) still kept',
    labelNames: ['channel', 'status'],
    registers,
    async collect() {
      this.reset();
      const groups = await db.outboxMessage.groupBy({ by: ['channel', 'status'], _count: { _all: true } });
      for (const group of groups) this.set({ channel: group.channel, status: group.status }, group._count._all);
    },
  });
  new Gauge({
    name: 'portal_outbox_oldest_pending_seconds',
    help: 'Age of the oldest pending outbox message (0 when none): a growing value means sending is stuck',
    registers,
    async collect() {
      const oldest = await db.outboxMessage.findFirst({ where: { status: 'pending' }, orderBy: { id: 'asc' }, select: { createdAt: true } });
      this.set(oldest ? Math.max(0, (Date.now() - oldest.createdAt.getTime()) / 1000) : 0);
    },
  });
  return {
    registry,
    logger: createLogger('portal', { plane: 'server' }),
    actions: new Counter({
      name: 'portal_action_results_total',
      help: 'Server actions, by name and result (ok or the error code)',
      labelNames: ['action', 'result'],
      registers,
    }),
    api: new Counter({
      name: 'portal_api_requests_total',
      help: 'Management API requests, by method, route pattern and status',
      labelNames: ['method', 'route', 'status'],
      registers,
    }),
    signIns: new Counter({
      name: 'portal_sign_ins_total',
      help: 'Sign-in attempts, by method (password, passkey, github) and result (ok, invalid, rate_limited, unavailable)',
      labelNames: ['method', 'result'],
      registers,
    }),
  };
}

export function observability(): Observability {
  const holder = globalThis as { [KEY]?: Observability };
  holder[KEY] ??= create();
  return holder[KEY];
}

/** Sends the request log elsewhere than stdout from now on (a test reading its lines, an embedding server). */
export function logTo(destination: DestinationStream): void {
  observability().logger = createLogger('portal', { plane: 'server', destination });
}

/** The fixed words of the management API's paths; every other segment is a caller's value. */
const ROUTE_WORDS = new Set(['v1', 'apps', 'api-keys', 'orgs', 'members', 'openapi.json', 'api', 'oauth', 'token']);

/**
 * A management API path as a pattern: every segment that is not one of the API's own words (an
 * app id, or whatever a stranger puts there) becomes `[id]`, so that labels and log fields stay
 * few and never carry a caller's text.
 */
export const routePattern = (pathname: string) =>
  pathname
    .split('/')
    .map((segment) => (segment === '' || ROUTE_WORDS.has(segment) ? segment : '[id]'))
    .join('/');

/**
 * Whether an Authorization header carries the metrics token, compared in constant time (both
 * sides hashed first, so that the comparison does not reveal the token's length either).
 */
export function carriesMetricsToken(header: string | null, token: string): boolean {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  const presented = createHash('sha256')
    .update(match?.[1] ?? '')
    .digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(presented, expected) && match !== null;
}
