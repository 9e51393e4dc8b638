// Reading: GetFlightInfo and GetSchema plan a command (SQL, a prepared statement, or a Flight SQL
// metadata command, whose SQL catalog.ts writes) into a signed ticket and its result schema;
// DoGet redeems the ticket and streams the result as Arrow IPC at the client's pace.
import * as grpc from '@grpc/grpc-js';
import { AppError } from '../../shared/errors';
import { checkedSql, type QueryParameters } from '../query-engine';
import { keyRevoked } from '../revocation';
import { batchMessages, encapsulatedSchema, schemaMessage, type IpcMessage } from './arrow-ipc';
import { authorize } from './auth';
import { TABLES_WITH_SCHEMA, catalogsQuery, dbSchemasQuery, tablesQuery, tablesWithSchemas, tableTypesQuery } from './catalog';
import type { FlightContext, FlightKey } from './context';
import { toStatus } from './errors';
import { messages, unpackAny, type FlightData, type FlightDescriptor, type FlightInfo, type Ticket } from './protocol';
import { SQL_INFO_SCHEMA, sqlInfoTable } from './sql-info';
import { decodeTicket, encodeTicket, type TicketContent } from './tickets';

type Command = { kind: 'query'; sql: string; parameters: QueryParameters; builtin?: TicketContent['builtin'] } | { kind: 'prepared'; handle: Uint8Array };

function parseCommand(descriptor: FlightDescriptor): Command {
  if (descriptor.type !== 'CMD') throw new AppError('invalid', 'Only command descriptors are supported.');
  const any = unpackAny(descriptor.cmd);
  if (!any) {
    // The Spice SDK sends the SQL text itself as the command.
    const sql = Buffer.from(checkedSql(descriptor.cmd)).toString('utf8');
    if (!sql.trim()) throw new AppError('invalid', 'The command holds no SQL.');
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
      throw new AppError('unsupported', `${any.typeUrl.split('.').pop()} is not supported: this runtime only reads.`);
  }
}

/** Aborted when the client cancels the call (or goes away): its query leaves its queue or stops. */
export function cancelledSignal(call: { on(event: 'cancelled', listener: () => void): unknown }): AbortSignal {
  const abort = new AbortController();
  call.on('cancelled', () => abort.abort());
  return abort.signal;
}

/** What a command runs, and the schema of its result, without running it. */
async function plan(context: FlightContext, command: Command, key: FlightKey, signal: AbortSignal): Promise<{ ticket: TicketContent; schema: Uint8Array }> {
  if (command.kind === 'prepared') {
    const statement = context.statements.get(command.handle, key.appId);
    if (!statement) throw new AppError('not_found', 'Unknown prepared statement.');
    if (statement.parameterCount > 0 && (Array.isArray(statement.parameters) ? statement.parameters.length : Object.keys(statement.parameters).length) === 0) {
      throw new AppError('invalid', `The query has ${statement.parameterCount} parameter(s) but 0 were given.`);
    }
    return {
      ticket: { appId: key.appId, sql: statement.sql, parameters: statement.parameters },
      schema: statement.schema,
    };
  }
  const ticket: TicketContent = { appId: key.appId, sql: command.sql, parameters: command.parameters };
  if (command.builtin === 'tables-with-schemas') return { ticket: { ...ticket, builtin: command.builtin }, schema: encapsulatedSchema(TABLES_WITH_SCHEMA) };
  if (command.builtin === 'sql-info') return { ticket: { ...ticket, builtin: command.builtin }, schema: encapsulatedSchema(SQL_INFO_SCHEMA) };
  const described = await context.deps.engine.describe({ appId: key.appId, orgId: key.orgId }, command.sql, { signal });
  return { ticket, schema: described.schema };
}

/**
 * Writes one FlightData, waiting for the client to take what is already queued (backpressure),
 * but no longer than stallTimeoutMs: a client that stops reading must not hold its query (and
 * the app's slot) forever, out of reach of the engine's time limit.
 */
function write(context: FlightContext, call: grpc.ServerWritableStream<Ticket, FlightData>, message: IpcMessage, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason);
  if (call.write({ data_header: message.header, data_body: message.body })) return Promise.resolve();
  const { stallTimeoutMs } = context.limits;
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
      reject(new AppError('timeout', `The client took no data for ${stallTimeoutMs / 1000} s; the query was stopped.`));
    }, stallTimeoutMs);
    call.once('drain', onDrain);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function getFlightInfo(
  context: FlightContext,
  call: grpc.ServerUnaryCall<FlightDescriptor, FlightInfo>,
  callback: grpc.sendUnaryData<FlightInfo>,
): void {
  (async () => {
    const key = await authorize(context, call);
    const { ticket, schema } = await plan(context, parseCommand(call.request), key, cancelledSignal(call));
    return {
      schema,
      flight_descriptor: call.request,
      endpoint: [{ ticket: { ticket: encodeTicket(ticket, context.deps.ticketSecret) }, location: [] }],
      total_records: -1,
      total_bytes: -1,
      ordered: true,
    } satisfies FlightInfo;
  })().then(
    (info) => callback(null, info),
    (error: unknown) => callback(toStatus(error, context.log)),
  );
}

export function getSchema(
  context: FlightContext,
  call: grpc.ServerUnaryCall<FlightDescriptor, { schema: Uint8Array }>,
  callback: grpc.sendUnaryData<{ schema: Uint8Array }>,
): void {
  (async () => {
    const key = await authorize(context, call);
    return { schema: (await plan(context, parseCommand(call.request), key, cancelledSignal(call))).schema };
  })().then(
    (result) => callback(null, result),
    (error: unknown) => callback(toStatus(error, context.log)),
  );
}

export function doGet(context: FlightContext, call: grpc.ServerWritableStream<Ticket, FlightData>): void {
  const { deps } = context;
  const abort = new AbortController();
  context.running.add(abort);
  call.on('cancelled', () => abort.abort(new Error('cancelled')));
  let unregister: (() => void) | undefined;
  (async () => {
    const key = await authorize(context, call);
    // The key's revocation (regenerated, its app deleted) stops the stream: the abort's reason is the status to end with.
    unregister = deps.revocation?.register(key, () => abort.abort(keyRevoked()));
    const ticket = decodeTicket(call.request.ticket, key.appId, deps.ticketSecret);
    if (!ticket) throw new AppError('not_found', 'Unknown ticket.');
    if (ticket.builtin) {
      const table =
        ticket.builtin === 'sql-info'
          ? sqlInfoTable(ticket.parameters as number[])
          : await tablesWithSchemas(deps.engine, { appId: key.appId, orgId: key.orgId }, ticket, abort.signal, context.limits.maxCatalogRows);
      await write(context, call, schemaMessage(table.schema), abort.signal);
      for (const batch of table.batches) for (const message of batchMessages(batch)) await write(context, call, message, abort.signal);
      return;
    }
    const stream = await deps.engine.arrow({ appId: key.appId, orgId: key.orgId }, ticket.sql, ticket.parameters, { signal: abort.signal });
    try {
      await write(context, call, stream.schema, abort.signal);
      for await (const batch of stream.messages) {
        for (const message of batch) await write(context, call, message, abort.signal);
      }
    } finally {
      stream.close();
    }
  })()
    .then(
      () => call.end(),
      (error: unknown) => {
        // A client that went away, or a server closing, is sent nothing more; a revoked key gets UNAUTHENTICATED.
        const reason: unknown = abort.signal.reason;
        if (!abort.signal.aborted) call.emit('error', toStatus(error, context.log));
        else if (reason instanceof AppError) call.emit('error', toStatus(reason, context.log));
      },
    )
    .finally(() => {
      unregister?.();
      context.running.delete(abort);
    });
}

/** Flights are not listed: every result is asked for by its command. */
export function listFlights(context: FlightContext, call: grpc.ServerWritableStream<unknown, FlightInfo>): void {
  authorize(context, call).then(
    () => call.end(),
    (error: unknown) => call.emit('error', toStatus(error, context.log)),
  );
}
