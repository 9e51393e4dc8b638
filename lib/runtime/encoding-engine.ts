import { chunkConverter, recordBatches } from './flight/arrow';
import { batchMessages, encapsulatedSchema, schemaMessage, type IpcMessage } from './flight/arrow-ipc';
import type { AnswerOptions, AnswerStream, ArrowStream, ChunkEngine, Described, QueryEngine, QueryOptions, QueryParameters, QueryTarget } from './query-engine';
import { collectResult } from './results';

/** The most of an HTTP answer that crosses to the serving process at once. */
const ANSWER_PART_BYTES = 1024 * 1024;

/** A promise and the function that settles it: DuckDB's "nothing more held" for one query. */
function releaseSignal(options: QueryOptions): { options: QueryOptions; released: Promise<void> } {
  let done!: () => void;
  const released = new Promise<void>((resolve) => (done = resolve));
  return { options: { ...options, onReleased: done }, released };
}

/**
 * The door-level engine over DuckDB's chunks, where DuckDB runs: an HTTP answer is made whole
 * (JSON or CSV, within its row and byte budget) and a Flight result as Arrow IPC messages, a
 * batch at a time, so only bytes leave an engine worker. Each call settles only once DuckDB
 * holds nothing more of its query (an interrupted call lets go a moment after the interrupt), so
 * the scheduler's slot, given back when the call settles, bounds what runs in DuckDB.
 */
export class EncodingEngine implements QueryEngine {
  constructor(private readonly chunks: ChunkEngine) {}

  async answer(target: QueryTarget, sql: string, parameters: QueryParameters, given: AnswerOptions): Promise<AnswerStream> {
    const { options, released } = releaseSignal(given);
    let result;
    try {
      const stream = await this.chunks.stream(target.appId, sql, parameters, options);
      try {
        result = await collectResult(stream, given);
      } finally {
        stream.close();
      }
    } finally {
      await released;
    }
    const bytes = Buffer.from(result.body, 'utf8');
    let closed = false;
    async function* parts(): AsyncGenerator<Uint8Array> {
      for (let at = 0; at < bytes.length && !closed; at += ANSWER_PART_BYTES) yield bytes.subarray(at, at + ANSWER_PART_BYTES);
    }
    return { length: bytes.length, truncated: result.truncated, parts: parts(), close: () => (closed = true), released };
  }

  async arrow(target: QueryTarget, sql: string, parameters: QueryParameters, given: QueryOptions = {}): Promise<ArrowStream> {
    const { options, released } = releaseSignal(given);
    let stream;
    let converter;
    try {
      stream = await this.chunks.stream(target.appId, sql, parameters, options);
      converter = chunkConverter(stream.names, stream.types);
    } catch (error) {
      stream?.close();
      await released;
      throw error;
    }
    const open = stream;
    const batches = recordBatches(converter, open.chunks);
    async function* messages(): AsyncGenerator<IpcMessage[]> {
      try {
        for await (const batch of batches) yield batchMessages(batch);
      } finally {
        open.close();
        await released;
      }
    }
    return { schema: schemaMessage(converter.schema), messages: messages(), close: () => open.close(), released };
  }

  async describe(target: QueryTarget, sql: string, given: QueryOptions = {}): Promise<Described> {
    const { options, released } = releaseSignal(given);
    try {
      const described = await this.chunks.describe(target.appId, sql, options);
      return {
        names: described.names,
        schema: encapsulatedSchema(chunkConverter(described.names, described.types).schema),
        parameterCount: described.parameterCount,
        parameterNames: described.parameterNames,
      };
    } finally {
      await released;
    }
  }
}
