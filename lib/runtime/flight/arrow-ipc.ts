import { Message, Table, tableToIPC, type RecordBatch, type Schema } from 'apache-arrow';
import { AppError } from '../../shared/errors';

/**
 * Arrow IPC messages as Flight carries them: what the serving process needs of Arrow, with no
 * DuckDB in it (the conversion from DuckDB's chunks, arrow.ts, runs in the engine workers).
 */

/** The largest gRPC message the common clients accept is 4 MiB; each FlightData stays below it. */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
/** Room for the IPC header and the protobuf framing around a record batch's body. */
const MAX_BODY_BYTES = MAX_MESSAGE_BYTES - 256 * 1024;

/** One Arrow IPC message: the flatbuffer header (FlightData.data_header) and the body (data_body). */
export type IpcMessage = { header: Uint8Array; body: Uint8Array };

const CONTINUATION = 0xffffffff;

/** Splits an Arrow IPC stream into its messages (the end-of-stream marker ends it). */
export function splitIpcStream(bytes: Uint8Array): IpcMessage[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const messages: IpcMessage[] = [];
  let offset = 0;
  while (offset + 8 <= bytes.byteLength) {
    let length = view.getUint32(offset, true);
    offset += 4;
    if (length === CONTINUATION) {
      length = view.getUint32(offset, true);
      offset += 4;
    }
    if (length === 0) break;
    const header = bytes.subarray(offset, offset + length);
    offset += length;
    const bodyLength = Number(Message.decode(header).bodyLength);
    messages.push({ header, body: bytes.subarray(offset, offset + bodyLength) });
    offset += bodyLength;
  }
  return messages;
}

/** The schema as one encapsulated IPC message (continuation, length, flatbuffer), as FlightInfo.schema wants it. */
export function encapsulatedSchema(schema: Schema): Uint8Array {
  const stream = tableToIPC(new Table(schema), 'stream');
  const length = new DataView(stream.buffer, stream.byteOffset).getUint32(4, true);
  return stream.slice(0, 8 + length);
}

export function schemaMessage(schema: Schema): IpcMessage {
  return splitIpcStream(tableToIPC(new Table(schema), 'stream'))[0]!;
}

/**
 * The IPC messages for one record batch, each body at most MAX_BODY_BYTES: a batch that would be
 * bigger is sent in row ranges. A single row bigger than that cannot be sent at all.
 */
export function batchMessages(batch: RecordBatch): IpcMessage[] {
  const encoded = splitIpcStream(tableToIPC(new Table([batch]), 'stream')).slice(1);
  const bodyBytes = encoded.reduce((sum, m) => sum + m.body.byteLength, 0);
  if (bodyBytes <= MAX_BODY_BYTES) return encoded;
  if (batch.numRows <= 1) throw new AppError('row_too_large', 'A row of the result is larger than 4 MiB, the most one Flight message may carry.');
  const half = Math.ceil(batch.numRows / 2);
  return [...batchMessages(batch.slice(0, half)), ...batchMessages(batch.slice(half))];
}
