// Flight SQL's prepared statements: DoAction creates and closes them, DoPut binds their
// parameters (PreparedStatements in statements.ts holds them), and GetFlightInfo (flight-info.ts)
// plans them like any query.
import * as grpc from '@grpc/grpc-js';
import { AppError } from '../../shared/errors';
import { Field, Null, Schema } from 'apache-arrow';
import { chunkConverter, encapsulatedSchema } from './arrow';
import { authorize } from './auth';
import type { FlightContext } from './context';
import { toStatus } from './errors';
import { checkedSql } from './flight-info';
import { messages, packAny, unpackAny, type Action, type FlightData } from './protocol';
import { parametersFromIpc } from './tickets';

const ACTION_CREATE = 'CreatePreparedStatement';
const ACTION_CLOSE = 'ClosePreparedStatement';
/** Parameter batches bigger than this, all messages counted whole, are refused (the HTTP door takes 1 MiB bodies). */
const MAX_PUT_BYTES = 1024 * 1024;
/** A parameter batch is a schema, a few dictionaries and one row: far fewer messages than this. */
const MAX_PUT_MESSAGES = 1000;

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
      timer = setTimeout(() => settle(new AppError('timeout', `The client sent nothing for ${idleMs / 1000} s; the parameters were not bound.`)), idleMs);
    };
    const onData = (data: FlightData) => {
      size += messageBytes(data);
      if (size > MAX_PUT_BYTES) return settle(new AppError('payload_too_large', 'The parameters are larger than 1 MiB.'));
      if (received.length >= MAX_PUT_MESSAGES) {
        return settle(new AppError('payload_too_large', `The parameters came in more than ${MAX_PUT_MESSAGES} messages.`));
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

export function doAction(context: FlightContext, call: grpc.ServerWritableStream<Action, { body: Uint8Array }>): void {
  const { deps, statements } = context;
  (async () => {
    const key = await authorize(context, call);
    const body = unpackAny(call.request.body);
    if (call.request.type === ACTION_CREATE) {
      if (!body || body.typeUrl !== messages.createPreparedStatementRequest.typeUrl) {
        throw new AppError('invalid', 'CreatePreparedStatement needs an ActionCreatePreparedStatementRequest.');
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
        throw new AppError('invalid', 'ClosePreparedStatement needs an ActionClosePreparedStatementRequest.');
      }
      const { prepared_statement_handle } = messages.closePreparedStatementRequest.decode(body.value);
      if (!statements.close(prepared_statement_handle, key.appId)) throw new AppError('not_found', 'Unknown prepared statement.');
    } else {
      throw new AppError('unsupported', 'Unknown action.');
    }
  })().then(
    () => call.end(),
    (error: unknown) => call.emit('error', toStatus(error, context.log)),
  );
}

export function doPut(context: FlightContext, call: grpc.ServerDuplexStream<FlightData, unknown>): void {
  (async () => {
    const key = await authorize(context, call);
    const received = await receiveAll(call, context.limits.putIdleMs);
    let handle: Uint8Array | null = null;
    const parts: Buffer[] = [];
    for (const data of received) {
      if (handle === null) {
        const descriptor = data.flight_descriptor;
        const any = descriptor ? unpackAny(descriptor.cmd) : null;
        if (!any || any.typeUrl !== messages.commandPreparedStatementQuery.typeUrl) {
          throw new AppError('invalid', 'DoPut only binds parameters to a prepared statement: this runtime only reads.');
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
    if (handle === null) throw new AppError('invalid', 'DoPut needs a prepared statement descriptor.');
    const statement = context.statements.get(handle, key.appId);
    if (!statement) throw new AppError('not_found', 'Unknown prepared statement.');
    statement.parameters = parametersFromIpc(Buffer.concat(parts), statement);
    // The handle stays the same; Flight SQL clients that look for an updated one find it here.
    call.write({ app_metadata: messages.doPutPreparedStatementResult.encode({ prepared_statement_handle: handle }) });
  })().then(
    () => call.end(),
    (error: unknown) => call.emit('error', toStatus(error, context.log)),
  );
}

export function listActions(context: FlightContext, call: grpc.ServerWritableStream<unknown, { type: string; description: string }>): void {
  authorize(context, call).then(
    () => {
      call.write({ type: ACTION_CREATE, description: 'Flight SQL: prepare a read-only statement' });
      call.write({ type: ACTION_CLOSE, description: 'Flight SQL: close a prepared statement' });
      call.end();
    },
    (error: unknown) => call.emit('error', toStatus(error, context.log)),
  );
}
