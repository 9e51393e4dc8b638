import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AppError, ERROR_STATUS, SHARED_MESSAGES, type ErrorCode } from '../shared/errors';
import { connectionClientAddress } from '../shared/http/client-address';
import { authenticateOrRefuse, FailureLimiter, refused } from '../shared/http/failure-limiter';
import type { RuntimeConfig } from './config';
import { requestId } from '../shared/logger';
import { KeyChecker } from './key-check';
import type { KeyStore, StoredKey } from './key-store';
import { KeyUsageRecorder } from './key-usage';
import type { RuntimeMetrics } from './metrics';
import type { QueryEngine } from './query-engine';
import { keyRevoked, RunningQueries } from './revocation';
import { UnknownKeys } from './unknown-keys';

export type RuntimeDeps = {
  config: RuntimeConfig;
  keys: KeyStore;
  digestSecret: Buffer;
  engine: QueryEngine;
  /** Shared with the Flight door, so that failures count once per address and uses once per key. */
  limiter?: FailureLimiter;
  usage?: KeyUsageRecorder;
  /** Digests with no row, answered 401 without the database: shared with the Flight door; by default the server's own. */
  unknownKeys?: UnknownKeys;
  /** The key check (by default one on `keys`, with `unknownKeys`): the Flight door's, so both are timed alike. */
  checker?: KeyChecker;
  /** Each request counted by route and status (and its refusals), when given. */
  metrics?: RuntimeMetrics;
  /** One line per request (request id, route, status, duration, app and slot; never a key or SQL), when given. */
  logger?: Logger;
  /**
   * The running queries, cancelled when their key is revoked: shared with the Flight door. By
   * default one of this server's own, checking every `config.revocationCheckMs` on `keys`.
   */
  revocation?: RunningQueries;
  log?: (message: string) => void;
};

const jsonBodySchema = z.object({
  sql: z.string().min(1, 'sql must not be empty'),
  parameters: z
    .array(z.union([z.string(), z.number(), z.boolean(), z.null()]), { error: 'parameters must be an array of strings, numbers, booleans or nulls' })
    .optional()
    .default([]),
});

class BodyTooLarge extends Error {}

/** What each request's line and count say, noted as it goes: its id, the key's app and slot, the error code. */
type Seen = { id: string; route: string; started: number; appId?: number; slot?: number; error?: ErrorCode };
const requests = new WeakMap<ServerResponse, Seen>();

/** The answer's headers with its X-Request-Id (given in writeHead's object: cheaper than setHeader on the hot path). */
const withId = (res: ServerResponse, headers: Record<string, string | number>) => ({ ...headers, 'X-Request-Id': requests.get(res)?.id ?? '' });

function send(res: ServerResponse, status: number, body: string, contentType: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, withId(res, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers }));
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(res, status, JSON.stringify(value), 'application/json; charset=utf-8', headers);
}

/** What the Spice runtime answers to every missing, malformed, unknown or replaced key. */
function unauthorized(res: ServerResponse): void {
  send(res, 401, SHARED_MESSAGES.unauthorized, 'text/plain; charset=utf-8');
}

/**
 * The 401 of a key refused without I/O, made once: a refusal that costs a hash should not also
 * cost an Error's stack trace. (Its stack is never shown or logged; only its code and message.)
 */
const UNAUTHORIZED = new AppError('unauthorized', SHARED_MESSAGES.unauthorized);

class BudgetExhausted extends Error {}

/**
 * The bytes of request bodies the HTTP door holds at once, all requests together: each body is
 * kept from its first byte until its answer is done (it waits and runs with its query). Past it, a
 * request answers 503 at once, so no number of connections can grow the serving process's memory
 * beyond it; one key may hold a quarter of it, so that it cannot take the others' share. (Answers
 * cross from their worker a part at a time, as the client takes them: they need no budget here.)
 */
export const HELD_BYTES_LIMIT = 128 * 1024 * 1024;

export class ByteBudget {
  private used = 0;
  private readonly byOwner = new Map<string, number>();
  constructor(
    readonly limit: number,
    readonly perOwner = limit / 4,
  ) {}

  /** Takes n bytes for `owner`: the function that gives them back (once), or null when they do not fit. */
  take(owner: string, n: number): (() => void) | null {
    const own = this.byOwner.get(owner) ?? 0;
    if (this.used + n > this.limit || own + n > this.perOwner) return null;
    this.used += n;
    this.byOwner.set(owner, own + n);
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= n;
      const left = (this.byOwner.get(owner) ?? n) - n;
      if (left > 0) this.byOwner.set(owner, left);
      else this.byOwner.delete(owner);
    };
  }
}

/**
 * Resolves once the client has taken what is buffered (the socket drained), or is gone; a client
 * that takes nothing for `stallMs` loses its connection, and with it the rest of the answer.
 */
function drained(res: ServerResponse, stallMs: number): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      res.removeListener('drain', done);
      res.removeListener('close', done);
      resolve();
    };
    const timer = setTimeout(() => {
      res.destroy();
      done();
    }, stallMs);
    res.once('drain', done);
    res.once('close', done);
  });
}

function readBody(req: IncomingMessage, res: ServerResponse, limit: number, budget: ByteBudget, owner: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      const give = size > limit ? null : budget.take(owner, chunk.length);
      if (!give) {
        req.removeAllListeners('data');
        req.resume();
        reject(size > limit ? new BodyTooLarge() : new BudgetExhausted());
        return;
      }
      // The body is kept while its query waits and runs: its bytes come back with the response.
      res.once('close', give);
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * The data plane: a lean node:http server that keys authenticate. Spice-compatible:
 * GET /health, GET /v1/ready, POST /v1/sql with X-API-Key.
 */
export function createRuntimeServer(deps: RuntimeDeps): http.Server {
  const { config, keys, engine } = deps;
  const log = deps.log ?? ((message: string) => console.log(message));
  const limiter = deps.limiter ?? new FailureLimiter(config.authFailuresPerMinute);
  const usage = deps.usage ?? new KeyUsageRecorder(keys, config.lastUsedIntervalMs, log);
  const checker = deps.checker ?? new KeyChecker(keys, deps.digestSecret, deps.unknownKeys ?? new UnknownKeys(), deps.metrics);
  const { metrics, logger } = deps;
  const held = new ByteBudget(HELD_BYTES_LIMIT);
  const busy = () =>
    new AppError(
      'unavailable',
      `The runtime holds as many request bodies for this key, or for all clients, as it may (${HELD_BYTES_LIMIT / 1024 ** 2} MiB in all, a quarter of it a key). Try again once your requests in flight have been answered.`,
      {
        retryAfter: 1,
      },
    );
  const revocation = deps.revocation ?? new RunningQueries(keys, { intervalMs: config.revocationCheckMs, log });

  /**
   * The current key, or the runtime's one gate answers: 401 (counted against the address), then
   * 429. A key refused without I/O (malformed, or remembered as unknown) is answered at once,
   * without a promise: the checker's precheck.
   */
  function authenticate(req: IncomingMessage, res: ServerResponse): AppError | Promise<StoredKey> {
    const header = req.headers['x-api-key'];
    const address = connectionClientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], config.trustProxy);
    const started = performance.now();
    const first = checker.precheck('http', Array.isArray(header) ? undefined : header, started);
    if (first.refused) return refused(limiter, address, () => UNAUTHORIZED);
    return lookedUp(
      res,
      authenticateOrRefuse(limiter, address, () => checker.lookUp('http', first.digest, started)),
    );
  }

  /** The key found, noted for the request's line (its app and slot). */
  async function lookedUp(res: ServerResponse, found: Promise<StoredKey>): Promise<StoredKey> {
    const key = await found;
    const seen = requests.get(res);
    if (seen) {
      seen.appId = key.appId;
      seen.slot = key.slot;
    }
    return key;
  }

  /** An AppError on the wire: its status from the table, `{ "error": message }`; Spice's plain-text 401. */
  function sendError(res: ServerResponse, error: AppError, headers: Record<string, string> = {}): void {
    const seen = requests.get(res);
    if (seen) seen.error = error.code;
    // The client went away: nothing is sent.
    if (error.code === 'cancelled') return void res.destroy();
    if (error.code === 'unauthorized') return unauthorized(res);
    const { retryAfter } = error.options;
    sendJson(
      res,
      ERROR_STATUS[error.code],
      { error: error.message },
      { ...headers, ...(retryAfter !== undefined ? { 'Retry-After': String(retryAfter) } : {}) },
    );
  }

  async function handleSql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let key: StoredKey;
    try {
      const checked = authenticate(req, res);
      if (checked instanceof AppError) return sendError(res, checked);
      key = await checked;
    } catch (error) {
      if (error instanceof AppError) return sendError(res, error);
      throw error;
    }
    usage.record(key);

    // A client that goes away cancels its query: waiting, running or being read. So does the
    // key's revocation (regenerated, its app deleted): the abort's reason is then the 401 to send.
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) gone.abort();
    });
    const unregister = revocation.register(key, () => {
      gone.abort(keyRevoked());
      // Should an answer have started, it ends here, without the rest of its body.
      if (res.headersSent) res.destroy();
    });
    try {
      await answerSql(req, res, key, gone);
    } finally {
      unregister();
    }
  }

  /** The rest of /v1/sql once the key is known; `gone` is aborted when the client goes or the key is revoked. */
  async function answerSql(req: IncomingMessage, res: ServerResponse, key: StoredKey, gone: AbortController): Promise<void> {
    /** Once the key was revoked, answers its 401 (the abort's reason) and says so. */
    const revoked = () => {
      const reason: unknown = gone.signal.reason;
      if (!(reason instanceof AppError)) return false;
      if (res.headersSent) res.destroy();
      else sendError(res, reason);
      return true;
    };
    let body: string;
    try {
      body = await readBody(req, res, config.maxBodyBytes, held, key.id);
    } catch (error) {
      if (error instanceof BudgetExhausted) return sendError(res, busy(), { Connection: 'close' });
      if (error instanceof BodyTooLarge) {
        return sendError(res, new AppError('payload_too_large', SHARED_MESSAGES.bodyTooLarge(config.maxBodyBytes)), { Connection: 'close' });
      }
      throw error;
    }
    if (revoked()) return;

    let sql = body;
    let parameters: (string | number | boolean | null)[] = [];
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType === 'application/json') {
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        sendJson(res, 400, { error: 'The body is not valid JSON. Send {"sql": "...", "parameters": [...]}, or the SQL as text/plain.' });
        return;
      }
      const parsed = jsonBodySchema.safeParse(json);
      if (!parsed.success) {
        sendJson(res, 400, { error: parsed.error.issues[0]?.message ?? 'Invalid request body.' });
        return;
      }
      sql = parsed.data.sql;
      parameters = parsed.data.parameters;
    }
    if (!sql.trim()) {
      sendJson(res, 400, { error: 'The query is empty.' });
      return;
    }

    const csv = String(req.headers.accept ?? '').includes('text/csv');
    try {
      const result = await engine.answer({ appId: key.appId, orgId: key.orgId }, sql, parameters, {
        signal: gone.signal,
        format: csv ? 'csv' : 'json',
        maxRows: config.maxRows,
        maxBytes: config.maxResultBytes,
      });
      try {
        // Revoked while the answer was being made: it is not sent.
        if (revoked()) return;
        res.writeHead(
          200,
          withId(res, {
            'Content-Type': csv ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
            'Content-Length': String(result.length),
            ...(result.truncated ? { 'X-Rows-Truncated': 'true', 'X-Row-Limit': String(config.maxRows) } : {}),
          }),
        );
        // The answer comes from its worker a part at a time, as the client takes it: this process
        // holds a part of it at most, however slowly the client reads.
        for await (const part of result.parts) {
          if (res.destroyed) return;
          if (!res.write(part)) await drained(res, config.queryTimeoutMs);
        }
        res.end();
      } finally {
        result.close();
      }
    } catch (error) {
      // A revoked key's query ends with the abort's reason (401), whatever the engine threw.
      if (revoked()) return;
      // Failed while the answer was being sent: the connection ends without the rest of it.
      if (res.headersSent) return void res.destroy();
      if (error instanceof AppError) sendError(res, error);
      else throw error;
    }
  }

  const ROUTES = new Set(['/health', '/v1/ready', '/v1/sql']);
  /** Counted and logged once the answer is done, or the connection gone. The health checks log at debug only. */
  const observe = (req: IncomingMessage, res: ServerResponse, path: string) => {
    const seen: Seen = { id: requestId(req.headers['x-request-id']), route: ROUTES.has(path) ? path : 'other', started: performance.now() };
    requests.set(res, seen);
    if (!metrics && !logger) return;
    res.once('close', () => {
      const status = res.writableFinished ? res.statusCode : res.headersSent ? `${res.statusCode}_incomplete` : 'aborted';
      metrics?.request('http', seen.route, status, seen.error);
      if (!logger) return;
      const line = {
        requestId: seen.id,
        door: 'http',
        method: req.method,
        route: seen.route,
        status,
        ms: Math.round((performance.now() - seen.started) * 100) / 100,
        ...(seen.appId !== undefined ? { appId: seen.appId, slot: seen.slot } : {}),
        ...(seen.error ? { error: seen.error } : {}),
      };
      if (seen.route === '/health' || seen.route === '/v1/ready') logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
  };

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    observe(req, res, path);
    const route = async () => {
      if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) return send(res, 200, 'ok', 'text/plain; charset=utf-8');
      if (path === '/v1/ready' && (req.method === 'GET' || req.method === 'HEAD')) return send(res, 200, 'ready', 'text/plain; charset=utf-8');
      if (path === '/v1/sql') {
        if (req.method === 'POST') return handleSql(req, res);
        return sendJson(res, 405, { error: 'Use POST.' }, { Allow: 'POST' });
      }
      return sendJson(res, 404, { error: 'Not found.' });
    };
    route().catch((error: unknown) => {
      log(`[runtime] request failed: ${error instanceof Error ? error.name : 'unknown error'}`);
      const seen = requests.get(res);
      if (seen) seen.error = 'internal';
      if (!res.headersSent) sendJson(res, 500, { error: 'Internal error.' });
      else res.destroy();
    });
  });
  // A registry of its own stops checking with the server; a shared one is closed by its owner.
  if (!deps.revocation) server.on('close', () => revocation.close());
  return server;
}
