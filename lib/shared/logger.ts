import { randomUUID } from 'node:crypto';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { Env } from './config';
import { logLevel } from './log-level';

/**
 * The structured log of both servers (pino): one JSON object a line when stdout is not a
 * terminal (a log collector, a file, a container's output), readable lines (pino-pretty) when
 * it is; LOG_LEVEL sets the level (info by default). What goes in is chosen by the callers:
 * request lines name the request id, the door, the route, the status, the duration and, when
 * known, the app id and key slot; never a key, a token, a password, a cookie or SQL.
 */
/** A logger for `name` ("runtime", "portal") on stdout (or `destination`): JSON, or pretty lines on a terminal. */
export function createLogger(name: string, options: { env?: Env; plane?: 'runtime' | 'server'; tty?: boolean; destination?: DestinationStream } = {}): Logger {
  const level = logLevel(options.env, options.plane);
  const base = { level, base: { name }, timestamp: pino.stdTimeFunctions.isoTime };
  if (options.destination) return pino(base, options.destination);
  if (options.tty ?? process.stdout.isTTY) return pino(base, pretty({ sync: true, ignore: 'pid,hostname', translateTime: 'SYS:HH:MM:ss.l' }));
  return pino(base);
}

/**
 * The id a request is known by in the logs and echoed in its answer: the client's X-Request-Id
 * when it is short and printable (1 to 64 characters of letters, digits and `-_.:/+=@`), so
 * that a request can be followed from the client or a proxy; otherwise a new UUID.
 */
export function requestId(incoming: unknown): string {
  if (typeof incoming === 'string' && /^[A-Za-z0-9\-_.:/+=@]{1,64}$/.test(incoming)) return incoming;
  return randomUUID();
}
