// Flight SQL's prepared statements: DoAction creates and closes them, DoPut binds their
// parameters (PreparedStatements in statements.ts holds them), and GetFlightInfo (flight-info.ts)
// plans them like any query.
import * as grpc from '@grpc/grpc-js';
import { AppError } from '../../shared/errors';
import { Field, Null, Schema } from 'apache-arrow';
import { encapsulatedSchema } from './arrow-ipc';
import { authorize } from './auth';
import type { FlightContext } from './context';
import { toStatus } from './errors';
import { checkedSql } from '../query-engine';
import { cancelledSignal } from './flight-info';
import { messages, packAny, unpackAny, type Action, type FlightData } from './protocol';
import { parametersFromIpc } from './tickets';
import type { PreparedStatement } from './statements';
import type { FlightKey } from './context';
import { queryErrors } from '../query-engine';

const ACTION_CREATE = 'CreatePreparedStatement';
const ACTION_CLOSE = 'ClosePreparedStatement';
/** Parameter batches bigger than this, all messages counted whole, are refused (the HTTP door takes 1 MiB bodies). */
export const MAX_PUT_BYTES = 1024 * 1024;
/** A parameter batch is a schema, a few dictionaries and one row: far fewer messages than this. */
const MAX_PUT_MESSAGES = 1000;

/** What one FlightData holds, every field counted (an empty message still costs its keep). */
function messageBytes(data: FlightData): number {
  const descriptor = data.flight_descriptor;
  const descriptorBytes = descriptor ? (descriptor.cmd?.length ?? 0) + (descriptor.path ?? []).reduce((sum, part) => sum + Buffer.byteLength(part), 0) : 0;
  return 16 + (data.data_header?.length ?? 0) + (data.data_body?.length ?? 0) + (data.app_metadata?.length ?? 0) + descriptorBytes;
}

/** DoPuts open at once per key and per app, and the bytes all DoPuts together may hold, by default. */
export const UPLOAD_LIMITS = { perKey: 8, perApp: 8, totalBytes: 64 * 1024 * 1024 };

/** One DoPut's share of the budget: the bytes it holds, given back once when it ends. */
type Upload = { reserve(bytes: number): void; close(): void };

/**
 * What DoPut may hold, whatever the number of connections: at most `perKey` and `perApp`
 * uploads open at once, and `totalBytes` buffered by all of them together; beyond that,
 * RESOURCE_EXHAUSTED. Each upload gives its share back when it ends, however it ends.
 */
export class UploadBudget {
  private readonly byKey = new Map<string, number>();
  private readonly byApp = new Map<number, number>();
  private bytes = 0;

  constructor(private readonly limits: typeof UPLOAD_LIMITS) {}

  /** Bytes held by all uploads now. */
  get held(): number {
    return this.bytes;
  }

  open(key: FlightKey): Upload {
    const ofKey = this.byKey.get(key.id) ?? 0;
    const ofApp = this.byApp.get(key.appId) ?? 0;
    if (ofKey >= this.limits.perKey)
      throw new AppError('rate_limited', `This key already has ${this.limits.perKey} parameter uploads (DoPut) open; finish one first.`);
    if (ofApp >= this.limits.perApp)
      throw new AppError('rate_limited', `This app already has ${this.limits.perApp} parameter uploads (DoPut) open; finish one first.`);
    const count = (map: Map<string | number, number>, id: string | number, by: number) => {
      const next = (map.get(id) ?? 0) + by;
      if (next === 0) map.delete(id);
      else map.set(id, next);
    };
    count(this.byKey, key.id, 1);
    count(this.byApp, key.appId, 1);
    let mine = 0;
    let open = true;
    return {
      reserve: (bytes) => {
        if (this.bytes + bytes > this.limits.totalBytes) {
          throw new AppError('rate_limited', 'The runtime holds as many uploaded parameters as it may; try again shortly.');
        }
        this.bytes += bytes;
        mine += bytes;
      },
      close: () => {
        if (!open) return;
        open = false;
        this.bytes -= mine;
        mine = 0;
        count(this.byKey, key.id, -1);
        count(this.byApp, key.appId, -1);
      },
    };
  }
}

/**
 * Everything a client streams to DoPut, up to MAX_PUT_BYTES in MAX_PUT_MESSAGES messages, each
 * within `idleMs` of the one before, every byte reserved in the upload's budget. The first
 * message is checked (`first`) before anything is kept: a stream that does not name a prepared
 * statement of the caller's app is refused at once. A client that goes away ends it. (Iterating
 * the call with for-await would destroy the duplex stream at the end, and with it the answer.)
 */
function receiveAll(
  call: grpc.ServerDuplexStream<FlightData, unknown>,
  idleMs: number,
  upload: Upload,
  first: (data: FlightData) => void,
): Promise<FlightData[]> {
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
      const bytes = messageBytes(data);
      size += bytes;
      if (size > MAX_PUT_BYTES) return settle(new AppError('payload_too_large', 'The parameters are larger than 1 MiB.'));
      if (received.length >= MAX_PUT_MESSAGES) {
        return settle(new AppError('payload_too_large', `The parameters came in more than ${MAX_PUT_MESSAGES} messages.`));
      }
      try {
        if (received.length === 0) first(data);
        upload.reserve(bytes);
      } catch (error) {
        return settle(error instanceof Error ? error : new Error(String(error)));
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
    call.on('cancelled', () => settle(queryErrors.cancelled()));
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
      const described = await deps.engine.describe({ appId: key.appId, orgId: key.orgId }, query, { signal: cancelledSignal(call) });
      const handle = statements.create({
        keyId: key.id,
        appId: key.appId,
        sql: query,
        schema: described.schema,
        parameterCount: described.parameterCount,
        parameterNames: described.parameterNames,
      });
      const parameterSchema = new Schema(described.parameterNames.map((name) => new Field(`$${name}`, new Null(), true)));
      call.write({
        body: packAny(messages.createPreparedStatementResult, {
          prepared_statement_handle: handle,
          dataset_schema: described.schema,
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
  let upload: Upload | null = null;
  (async () => {
    const key = await authorize(context, call);
    upload = context.uploads.open(key);
    let statement: PreparedStatement | null = null;
    let handle: Uint8Array | null = null;
    // The first message names the prepared statement, which must be the caller's app's: checked
    // before anything the client sends is kept.
    const first = (data: FlightData) => {
      const descriptor = data.flight_descriptor;
      const any = descriptor ? unpackAny(descriptor.cmd) : null;
      if (!any || any.typeUrl !== messages.commandPreparedStatementQuery.typeUrl) {
        throw new AppError('invalid', 'DoPut only binds parameters to a prepared statement: this runtime only reads.');
      }
      handle = messages.commandPreparedStatementQuery.decode(any.value).prepared_statement_handle;
      statement = context.statements.get(handle, key.appId);
      if (!statement) throw new AppError('not_found', 'Unknown prepared statement.');
    };
    const received = await receiveAll(call, context.limits.putIdleMs, upload, first);
    if (!statement || !handle) throw new AppError('invalid', 'DoPut needs a prepared statement descriptor.');
    const parts: Buffer[] = [];
    for (const data of received) {
      if (!data.data_header || data.data_header.length === 0) continue;
      const prefix = Buffer.alloc(8);
      prefix.writeUInt32LE(0xffffffff, 0);
      const padding = (8 - (data.data_header.length % 8)) % 8;
      prefix.writeUInt32LE(data.data_header.length + padding, 4);
      parts.push(prefix, Buffer.from(data.data_header), Buffer.alloc(padding), Buffer.from(data.data_body));
    }
    const bound: PreparedStatement = statement;
    bound.parameters = parametersFromIpc(Buffer.concat(parts), bound);
    // The handle stays the same; Flight SQL clients that look for an updated one find it here.
    call.write({ app_metadata: messages.doPutPreparedStatementResult.encode({ prepared_statement_handle: handle }) });
  })()
    .then(
      () => call.end(),
      (error: unknown) => {
        // A client that went away is answered nothing.
        if (!(error instanceof AppError && error.code === 'cancelled')) call.emit('error', toStatus(error, context.log));
      },
    )
    .finally(() => upload?.close());
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
