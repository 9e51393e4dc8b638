import * as grpc from '@grpc/grpc-js';
import { Field, Null, Schema } from 'apache-arrow';
import type { FailureLimiter } from '../../shared/http/failure-limiter';
import type { QueryEngine, QueryParameters } from '../query-engine';
import { MAX_SQL_BYTES } from '../sql-guard';
import { batchMessages, chunkConverter, encapsulatedSchema, recordBatches, schemaMessage, type IpcMessage } from './arrow';
import { MAX_CATALOG_ROWS, TABLES_WITH_SCHEMA, catalogsQuery, dbSchemasQuery, tablesQuery, tablesWithSchemas, tableTypesQuery } from './catalog';
import { FlightError, toStatus, unauthorized } from './errors';
import {
  flightServiceDefinition,
  messages,
  packAny,
  unpackAny,
  type Action,
  type FlightData,
  type FlightDescriptor,
  type FlightInfo,
  type HandshakeRequest,
  type Ticket,
} from './protocol';
import { SQL_INFO_SCHEMA, sqlInfoTable } from './sql-info';
import { PreparedStatements } from './statements';
import { decodeTicket, encodeTicket, parametersFromIpc, type TicketContent } from './tickets';

/** What the runtime's key check returns for a current key. */
export type FlightKey = { id: string; appId: number; digest: string };

/** The per-address limiter of failed authentications: the HTTP door's instance, so failures count once per address. */
export type FlightFailureLimiter = Pick<FailureLimiter, 'retryAfter' | 'recordFailure'>;

export type FlightServerDeps = {
  /** The runtime's key check (authenticateKey on the key store): called on every call, nothing cached. */
  authenticate(presented: string | undefined): Promise<FlightKey | null>;
  limiter: FlightFailureLimiter;
  engine: QueryEngine;
  /** PEM certificate and key to serve TLS with, or null for plain gRPC. */
  tls: { cert: Buffer; key: Buffer } | null;
  /** Told about each authenticated call, e.g. to record the key's last use. */
  onAuthenticated?(key: FlightKey): void;
  log?(message: string): void;
  /** Prepared statements: idle lifetime, how many one key and all keys together may hold open. */
  statements?: { ttlMs?: number; perKey?: number; total?: number };
  /**
   * The key tickets are signed with (HMAC-SHA256): the same on every instance, so that any of
   * them redeems another's tickets. flightTicketSecret(KEY_DIGEST_SECRET) derives it.
   */
  ticketSecret: Buffer;
  /**
   * How long DoGet waits for a client that takes no data before it ends the call
   * (DEADLINE_EXCEEDED) and frees the query's slot: the query time limit (30 s by default).
   */
  stallTimeoutMs?: number;
  /** DoPut fails when the client sends nothing for this long (30 s by default). */
  putIdleMs?: number;
  /** Largest number of builtin catalog rows (GetTables with schemas) collected; 10,000 by default. */
  maxCatalogRows?: number;
};

export type FlightServer = {
  /** Listens; resolves with the bound port (useful with port 0). */
  start(port: number, host: string): Promise<number>;
  /** Stops accepting calls, cancels running ones and frees every prepared statement. */
  close(): Promise<void>;
};

const ACTION_CREATE = 'CreatePreparedStatement';
const ACTION_CLOSE = 'ClosePreparedStatement';
/** Parameter batches bigger than this, all messages counted whole, are refused (the HTTP door takes 1 MiB bodies). */
const MAX_PUT_BYTES = 1024 * 1024;
/** A parameter batch is a schema, a few dictionaries and one row: far fewer messages than this. */
const MAX_PUT_MESSAGES = 1000;
/** The longest SQL text Flight takes, in bytes: the engine's own limit, checked before anything keeps the text. */
export { MAX_SQL_BYTES };

/**
 * The gRPC server's options: each connection runs at most 100 calls at once, is closed after 5
 * minutes without a call and after an hour in any case (calls still running get 5 minutes more
 * to finish); clients send small messages (SQL, parameter batches), results go the other way in
 * messages under 4 MiB.
 */
export const GRPC_SERVER_OPTIONS = {
  'grpc.max_concurrent_streams': 100,
  'grpc.max_connection_idle_ms': 5 * 60_000,
  'grpc.max_connection_age_ms': 60 * 60_000,
  'grpc.max_connection_age_grace_ms': 5 * 60_000,
  'grpc.max_receive_message_length': 4 * 1024 * 1024,
  'grpc.max_send_message_length': 4 * 1024 * 1024,
} satisfies grpc.ServerOptions;

type Command =
  | { kind: 'query'; sql: string; parameters: QueryParameters; builtin?: TicketContent['builtin'] }
  | { kind: 'prepared'; handle: Uint8Array };

/** `ipv4:127.0.0.1:5000` / `ipv6:[::1]:5000` → the address alone. */
export function peerAddress(peer: string): string {
  const bare = peer.replace(/^(ipv4|ipv6|unix):/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(bare);
  if (bracketed) return bracketed[1]!;
  const colon = bare.lastIndexOf(':');
  return colon > 0 && bare.indexOf(':') === colon ? bare.slice(0, colon) : bare;
}

function bearer(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : undefined;
}

/** The key inside `authorization: Basic base64(username:key)`; the username is ignored (Spice: "username can be empty"). */
function basicPassword(metadata: grpc.Metadata): string | undefined {
  const value = metadata.get('authorization')[0];
  if (typeof value !== 'string') return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon >= 0 ? decoded.slice(colon + 1) : undefined;
}

/**
 * Everything a client streams to DoPut, up to MAX_PUT_BYTES. (Iterating the call with for-await
 * would destroy the duplex stream at the end, and with it the answer.)
 */
/** What one FlightData holds, every field counted (an empty message still costs its keep). */
function messageBytes(data: FlightData): number {
  const descriptor = data.flight_descriptor;
  const descriptorBytes = descriptor ? (descriptor.cmd?.length ?? 0) + (descriptor.path ?? []).reduce((sum, part) => sum + Buffer.byteLength(part), 0) : 0;
  return 16 + (data.data_header?.length ?? 0) + (data.data_body?.length ?? 0) + (data.app_metadata?.length ?? 0) + descriptorBytes;
}

/**
 * Everything a client streams to DoPut, up to MAX_PUT_BYTES in MAX_PUT_MESSAGES messages, each
 * within `idleMs` of the one before. (Iterating the call with for-await would destroy the duplex
 * stream at the end, and with it the answer.)
 */
function receiveAll(call: grpc.ServerDuplexStream<FlightData, unknown>, idleMs: number): Promise<FlightData[]> {
  return new Promise((resolve, reject) => {
    const received: FlightData[] = [];
    let size = 0;
    let done = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error: Error | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      received.length = 0;
      call.removeListener('data', onData);
      // Whatever else the client sends is read and dropped until the call ends.
      call.on('data', () => undefined);
      if (error) reject(error);
    };
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(
        () => settle(new FlightError(grpc.status.DEADLINE_EXCEEDED, `The client sent nothing for ${idleMs / 1000} s; the parameters were not bound.`)),
        idleMs,
      );
    };
    const onData = (data: FlightData) => {
      size += messageBytes(data);
      if (size > MAX_PUT_BYTES) return settle(new FlightError(grpc.status.RESOURCE_EXHAUSTED, 'The parameters are larger than 1 MiB.'));
      if (received.length >= MAX_PUT_MESSAGES) {
        return settle(new FlightError(grpc.status.RESOURCE_EXHAUSTED, `The parameters came in more than ${MAX_PUT_MESSAGES} messages.`));
      }
      received.push(data);
      idle();
    };
    idle();
    call.on('data', onData);
    call.on('end', () => {
      if (done) return;
      const all = [...received];
      settle(null);
      resolve(all);
    });
    call.on('error', (error) => settle(error));
  });
}

/** SQL from a client, refused past MAX_SQL_BYTES with the engine's words. */
function checkedSql(sql: string): string {
  if (Buffer.byteLength(sql) > MAX_SQL_BYTES) throw new FlightError(grpc.status.INVALID_ARGUMENT, `The query is longer than ${MAX_SQL_BYTES} bytes.`);
  return sql;
}

export function createFlightServer(deps: FlightServerDeps): FlightServer {
  const log = deps.log ?? (() => undefined);
  const statements = new PreparedStatements({
    ttlMs: deps.statements?.ttlMs ?? 5 * 60_000,
    perKey: deps.statements?.perKey ?? 64,
    total: deps.statements?.total ?? 10_000,
  });
  const stallTimeoutMs = deps.stallTimeoutMs ?? 30_000;
  const putIdleMs = deps.putIdleMs ?? 30_000;
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  const running = new Set<AbortController>();

  async function check(presented: string | undefined, call: { getPeer(): string }): Promise<FlightKey> {
    const key = presented ? await deps.authenticate(presented) : null;
    if (key) {
      deps.onAuthenticated?.(key);
      return key;
    }
    const address = peerAddress(call.getPeer());
    const now = Date.now();
    if (deps.limiter.retryAfter(address, now) > 0) {
      throw new FlightError(grpc.status.RESOURCE_EXHAUSTED, 'Too many failed authentications; try again in a minute.');
    }
    deps.limiter.recordFailure(address, now);
    throw unauthorized();
  }

  const authorize = (call: { metadata: grpc.Metadata; getPeer(): string }) => check(bearer(call.metadata), call);

  function parseCommand(descriptor: FlightDescriptor): Command {
    if (descriptor.type !== 'CMD') throw new FlightError(grpc.status.INVALID_ARGUMENT, 'Only command descriptors are supported.');
    const any = unpackAny(descriptor.cmd);
    if (!any) {
      // The Spice SDK sends the SQL text itself as the command.
      if (descriptor.cmd.length > MAX_SQL_BYTES) throw new FlightError(grpc.status.INVALID_ARGUMENT, `The query is longer than ${MAX_SQL_BYTES} bytes.`);
      const sql = Buffer.from(descriptor.cmd).toString('utf8');
      if (!sql.trim()) throw new FlightError(grpc.status.INVALID_ARGUMENT, 'The command holds no SQL.');
      return { kind: 'query', sql, parameters: [] };
    }
    switch (any.typeUrl) {
      case messages.commandStatementQuery.typeUrl:
        return { kind: 'query', sql: checkedSql(messages.commandStatementQuery.decode(any.value).query), parameters: [] };
      case messages.commandPreparedStatementQuery.typeUrl:
        return { kind: 'prepared', handle: messages.commandPreparedStatementQuery.decode(any.value).prepared_statement_handle };
      case messages.commandGetSqlInfo.typeUrl:
        return { kind: 'query', sql: '', parameters: messages.commandGetSqlInfo.decode(any.value).info, builtin: 'sql-info' };
      case messages.commandGetCatalogs.typeUrl:
        return { kind: 'query', ...catalogsQuery() };
      case messages.commandGetDbSchemas.typeUrl:
        return { kind: 'query', ...dbSchemasQuery(messages.commandGetDbSchemas.decode(any.value)) };
      case messages.commandGetTables.typeUrl: {
        const command = messages.commandGetTables.decode(any.value);
        return { kind: 'query', ...tablesQuery(command), ...(command.include_schema ? { builtin: 'tables-with-schemas' as const } : {}) };
      }
      case messages.commandGetTableTypes.typeUrl:
        return { kind: 'query', ...tableTypesQuery() };
      default:
        throw new FlightError(grpc.status.UNIMPLEMENTED, `${any.typeUrl.split('.').pop()} is not supported: this runtime only reads.`);
    }
  }

  /** What a command runs, and the schema of its result, without running it. */
  async function plan(command: Command, key: FlightKey): Promise<{ ticket: TicketContent; schema: Uint8Array }> {
    if (command.kind === 'prepared') {
      const statement = statements.get(command.handle, key.appId);
      if (!statement) throw new FlightError(grpc.status.NOT_FOUND, 'Unknown prepared statement.');
      if (statement.parameterCount > 0 && (Array.isArray(statement.parameters) ? statement.parameters.length : Object.keys(statement.parameters).length) === 0) {
        throw new FlightError(grpc.status.INVALID_ARGUMENT, `The query has ${statement.parameterCount} parameter(s) but 0 were given.`);
      }
      return {
        ticket: { appId: key.appId, sql: statement.sql, parameters: statement.parameters },
        schema: encapsulatedSchema(chunkConverter(statement.columns.names, statement.columns.types).schema),
      };
    }
    const ticket: TicketContent = { appId: key.appId, sql: command.sql, parameters: command.parameters };
    if (command.builtin === 'tables-with-schemas') return { ticket: { ...ticket, builtin: command.builtin }, schema: encapsulatedSchema(TABLES_WITH_SCHEMA) };
    if (command.builtin === 'sql-info') return { ticket: { ...ticket, builtin: command.builtin }, schema: encapsulatedSchema(SQL_INFO_SCHEMA) };
    const described = await deps.engine.describe(key.appId, command.sql);
    return { ticket, schema: encapsulatedSchema(chunkConverter(described.names, described.types).schema) };
  }

  /**
   * Writes one FlightData, waiting for the client to take what is already queued (backpressure),
   * but no longer than stallTimeoutMs: a client that stops reading must not hold its query (and
   * the app's slot) forever, out of reach of the engine's time limit.
   */
  function write(call: grpc.ServerWritableStream<Ticket, FlightData>, message: IpcMessage, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (call.write({ data_header: message.header, data_body: message.body })) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        call.removeListener('drain', onDrain);
        signal.removeEventListener('abort', onAbort);
      };
      const onDrain = () => {
        done();
        resolve();
      };
      const onAbort = () => {
        done();
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        done();
        reject(new FlightError(grpc.status.DEADLINE_EXCEEDED, `The client took no data for ${stallTimeoutMs / 1000} s; the query was stopped.`));
      }, stallTimeoutMs);
      call.once('drain', onDrain);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  const handlers: grpc.UntypedServiceImplementation = {
    Handshake(call: grpc.ServerDuplexStream<HandshakeRequest, unknown>) {
      let answered = false;
      const answer = (presented: string | undefined) => {
        if (answered) return;
        answered = true;
        check(presented, call).then(
          () => {
            const metadata = new grpc.Metadata();
            // The token is the key itself: it can never outlive the key, and every call checks it again.
            metadata.set('authorization', `Bearer ${presented}`);
            call.sendMetadata(metadata);
            call.write({ protocol_version: 0, payload: Buffer.from(presented ?? '') });
            call.end();
          },
          (error: unknown) => call.emit('error', toStatus(error, log)),
        );
      };
      const fromHeader = basicPassword(call.metadata) ?? bearer(call.metadata);
      if (fromHeader !== undefined) {
        answer(fromHeader);
        call.on('data', () => undefined);
        return;
      }
      call.on('data', (request: HandshakeRequest) => {
        let password: string | undefined;
        try {
          password = request.payload.length ? messages.basicAuth.decode(request.payload).password : undefined;
        } catch {
          password = undefined;
        }
        answer(password);
      });
      call.on('end', () => answer(undefined));
    },

    GetFlightInfo(call: grpc.ServerUnaryCall<FlightDescriptor, FlightInfo>, callback: grpc.sendUnaryData<FlightInfo>) {
      (async () => {
        const key = await authorize(call);
        const { ticket, schema } = await plan(parseCommand(call.request), key);
        return {
          schema,
          flight_descriptor: call.request,
          endpoint: [{ ticket: { ticket: encodeTicket(ticket, deps.ticketSecret) }, location: [] }],
          total_records: -1,
          total_bytes: -1,
          ordered: true,
        } satisfies FlightInfo;
      })().then(
        (info) => callback(null, info),
        (error: unknown) => callback(toStatus(error, log)),
      );
    },

    GetSchema(call: grpc.ServerUnaryCall<FlightDescriptor, { schema: Uint8Array }>, callback: grpc.sendUnaryData<{ schema: Uint8Array }>) {
      (async () => {
        const key = await authorize(call);
        return { schema: (await plan(parseCommand(call.request), key)).schema };
      })().then(
        (result) => callback(null, result),
        (error: unknown) => callback(toStatus(error, log)),
      );
    },

    DoGet(call: grpc.ServerWritableStream<Ticket, FlightData>) {
      const abort = new AbortController();
      running.add(abort);
      call.on('cancelled', () => abort.abort(new Error('cancelled')));
      (async () => {
        const key = await authorize(call);
        const ticket = decodeTicket(call.request.ticket, key.appId, deps.ticketSecret);
        if (!ticket) throw new FlightError(grpc.status.NOT_FOUND, 'Unknown ticket.');
        if (ticket.builtin) {
          const table =
            ticket.builtin === 'sql-info'
              ? sqlInfoTable(ticket.parameters as number[])
              : await tablesWithSchemas(deps.engine, key.appId, ticket, abort.signal, deps.maxCatalogRows ?? MAX_CATALOG_ROWS);
          await write(call, schemaMessage(table.schema), abort.signal);
          for (const batch of table.batches) for (const message of batchMessages(batch)) await write(call, message, abort.signal);
          return;
        }
        const stream = await deps.engine.stream(key.appId, ticket.sql, ticket.parameters, { signal: abort.signal });
        try {
          const converter = chunkConverter(stream.names, stream.types);
          await write(call, schemaMessage(converter.schema), abort.signal);
          for await (const batch of recordBatches(converter, stream.chunks)) {
            for (const message of batchMessages(batch)) await write(call, message, abort.signal);
          }
        } finally {
          stream.close();
        }
      })().then(
        () => call.end(),
        (error: unknown) => {
          if (!abort.signal.aborted) call.emit('error', toStatus(error, log));
        },
      ).finally(() => running.delete(abort));
    },

    DoPut(call: grpc.ServerDuplexStream<FlightData, unknown>) {
      (async () => {
        const key = await authorize(call);
        const received = await receiveAll(call, putIdleMs);
        let handle: Uint8Array | null = null;
        const parts: Buffer[] = [];
        for (const data of received) {
          if (handle === null) {
            const descriptor = data.flight_descriptor;
            const any = descriptor ? unpackAny(descriptor.cmd) : null;
            if (!any || any.typeUrl !== messages.commandPreparedStatementQuery.typeUrl) {
              throw new FlightError(grpc.status.INVALID_ARGUMENT, 'DoPut only binds parameters to a prepared statement: this runtime only reads.');
            }
            handle = messages.commandPreparedStatementQuery.decode(any.value).prepared_statement_handle;
          }
          if (!data.data_header || data.data_header.length === 0) continue;
          const prefix = Buffer.alloc(8);
          prefix.writeUInt32LE(0xffffffff, 0);
          const padding = (8 - (data.data_header.length % 8)) % 8;
          prefix.writeUInt32LE(data.data_header.length + padding, 4);
          parts.push(prefix, Buffer.from(data.data_header), Buffer.alloc(padding), Buffer.from(data.data_body));
        }
        if (handle === null) throw new FlightError(grpc.status.INVALID_ARGUMENT, 'DoPut needs a prepared statement descriptor.');
        const statement = statements.get(handle, key.appId);
        if (!statement) throw new FlightError(grpc.status.NOT_FOUND, 'Unknown prepared statement.');
        statement.parameters = parametersFromIpc(Buffer.concat(parts), statement);
        // The handle stays the same; Flight SQL clients that look for an updated one find it here.
        call.write({ app_metadata: messages.doPutPreparedStatementResult.encode({ prepared_statement_handle: handle }) });
      })().then(
        () => call.end(),
        (error: unknown) => call.emit('error', toStatus(error, log)),
      );
    },

    DoAction(call: grpc.ServerWritableStream<Action, { body: Uint8Array }>) {
      (async () => {
        const key = await authorize(call);
        const body = unpackAny(call.request.body);
        if (call.request.type === ACTION_CREATE) {
          if (!body || body.typeUrl !== messages.createPreparedStatementRequest.typeUrl) {
            throw new FlightError(grpc.status.INVALID_ARGUMENT, 'CreatePreparedStatement needs an ActionCreatePreparedStatementRequest.');
          }
          const query = checkedSql(messages.createPreparedStatementRequest.decode(body.value).query);
          const described = await deps.engine.describe(key.appId, query);
          const handle = statements.create({
            keyId: key.id,
            appId: key.appId,
            sql: query,
            columns: { names: described.names, types: described.types },
            parameterCount: described.parameterCount,
            parameterNames: described.parameterNames,
          });
          const parameterSchema = new Schema(described.parameterNames.map((name) => new Field(`$${name}`, new Null(), true)));
          call.write({
            body: packAny(messages.createPreparedStatementResult, {
              prepared_statement_handle: handle,
              dataset_schema: encapsulatedSchema(chunkConverter(described.names, described.types).schema),
              parameter_schema: encapsulatedSchema(parameterSchema),
            }),
          });
        } else if (call.request.type === ACTION_CLOSE) {
          if (!body || body.typeUrl !== messages.closePreparedStatementRequest.typeUrl) {
            throw new FlightError(grpc.status.INVALID_ARGUMENT, 'ClosePreparedStatement needs an ActionClosePreparedStatementRequest.');
          }
          const { prepared_statement_handle } = messages.closePreparedStatementRequest.decode(body.value);
          if (!statements.close(prepared_statement_handle, key.appId)) throw new FlightError(grpc.status.NOT_FOUND, 'Unknown prepared statement.');
        } else {
          throw new FlightError(grpc.status.UNIMPLEMENTED, 'Unknown action.');
        }
      })().then(
        () => call.end(),
        (error: unknown) => call.emit('error', toStatus(error, log)),
      );
    },

    ListActions(call: grpc.ServerWritableStream<unknown, { type: string; description: string }>) {
      authorize(call).then(
        () => {
          call.write({ type: ACTION_CREATE, description: 'Flight SQL: prepare a read-only statement' });
          call.write({ type: ACTION_CLOSE, description: 'Flight SQL: close a prepared statement' });
          call.end();
        },
        (error: unknown) => call.emit('error', toStatus(error, log)),
      );
    },

    ListFlights(call: grpc.ServerWritableStream<unknown, FlightInfo>) {
      authorize(call).then(
        () => call.end(),
        (error: unknown) => call.emit('error', toStatus(error, log)),
      );
    },

    DoExchange(call: grpc.ServerDuplexStream<FlightData, FlightData>) {
      call.emit('error', { code: grpc.status.UNIMPLEMENTED, details: 'DoExchange is not supported.' });
    },
  };

  server.addService(flightServiceDefinition, handlers);

  return {
    start(port, host) {
      const credentials = deps.tls
        ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: deps.tls.cert, private_key: deps.tls.key }], false)
        : grpc.ServerCredentials.createInsecure();
      return new Promise((resolve, reject) => {
        server.bindAsync(`${host.includes(':') ? `[${host}]` : host}:${port}`, credentials, (error, bound) => (error ? reject(error) : resolve(bound)));
      });
    },
    close() {
      for (const abort of running) abort.abort(new Error('server closing'));
      return new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 2000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
