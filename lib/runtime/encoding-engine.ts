import { chunkConverter, recordBatches } from './flight/arrow';
import { batchMessages, encapsulatedSchema, schemaMessage, type IpcMessage } from './flight/arrow-ipc';
import type { AnswerOptions, ArrowStream, ChunkEngine, Described, QueryEngine, QueryOptions, QueryParameters, QueryTarget } from './query-engine';
import { collectResult } from './results';

/**
 * The door-level engine over DuckDB's chunks, where DuckDB runs: an HTTP answer is made whole
 * (JSON or CSV, within its row and byte budget) and a Flight result as Arrow IPC messages, a
 * batch at a time, so only bytes leave an engine worker. In the serving process it would run the
 * same way; tests use it so.
 */
export class EncodingEngine implements QueryEngine {
  constructor(private readonly chunks: ChunkEngine) {}

  async answer(target: QueryTarget, sql: string, parameters: QueryParameters, options: AnswerOptions) {
    const stream = await this.chunks.stream(target.appId, sql, parameters, options);
    try {
      return await collectResult(stream, options);
    } finally {
      stream.close();
    }
  }

  async arrow(target: QueryTarget, sql: string, parameters: QueryParameters, options: QueryOptions = {}): Promise<ArrowStream> {
    const stream = await this.chunks.stream(target.appId, sql, parameters, options);
    let converter;
    try {
      converter = chunkConverter(stream.names, stream.types);
    } catch (error) {
      stream.close();
      throw error;
    }
    const batches = recordBatches(converter, stream.chunks);
    async function* messages(): AsyncGenerator<IpcMessage[]> {
      try {
        for await (const batch of batches) yield batchMessages(batch);
      } finally {
        stream.close();
      }
    }
    return { schema: schemaMessage(converter.schema), messages: messages(), close: () => stream.close() };
  }

  async describe(target: QueryTarget, sql: string, options: QueryOptions = {}): Promise<Described> {
    const described = await this.chunks.describe(target.appId, sql, options);
    return {
      names: described.names,
      schema: encapsulatedSchema(chunkConverter(described.names, described.types).schema),
      parameterCount: described.parameterCount,
      parameterNames: described.parameterNames,
    };
  }
}
