import {
  checkedSql,
  type AnswerOptions,
  type AnswerStream,
  type ArrowStream,
  type Described,
  type QueryEngine,
  type QueryOptions,
  type QueryParameters,
  type QueryTarget,
} from './query-engine';
import type { FairScheduler } from './scheduler';

/**
 * Every query of both doors through one scheduler: it waits for a slot (within its time limit),
 * runs on the engine with the deadline that wait left, and gives the slot back when its answer
 * is complete, its stream ends or is closed, or it fails.
 */
export class ScheduledEngine implements QueryEngine {
  constructor(
    private readonly engine: QueryEngine,
    private readonly slots: Pick<FairScheduler, 'acquire'>,
    private readonly queryTimeoutMs: number,
  ) {}

  private acquire(target: QueryTarget, sql: string, options: QueryOptions) {
    checkedSql(sql);
    const deadline = Date.now() + this.queryTimeoutMs;
    const timeoutMessage = `The query ran longer than ${this.queryTimeoutMs / 1000} s (RUNTIME_QUERY_TIMEOUT_MS) and was stopped.`;
    return this.slots
      .acquire({ orgId: target.orgId, appId: target.appId, cost: Buffer.byteLength(sql), deadline, timeoutMessage, signal: options.signal })
      .then((release) => ({ release, deadline }));
  }

  /** The slot is held until the answer has been taken (or given up): an answer not yet sent is held where it was made. */
  async answer(target: QueryTarget, sql: string, parameters: QueryParameters, options: AnswerOptions): Promise<AnswerStream> {
    const { release, deadline } = await this.acquire(target, sql, options);
    let answer: AnswerStream;
    try {
      answer = await this.engine.answer(target, sql, parameters, { ...options, deadline });
    } catch (error) {
      release();
      throw error;
    }
    return { ...answer, parts: releasing(answer.parts, release), close: () => (answer.close(), release()) };
  }

  async describe(target: QueryTarget, sql: string, options: QueryOptions = {}): Promise<Described> {
    const { release, deadline } = await this.acquire(target, sql, options);
    try {
      return await this.engine.describe(target, sql, { ...options, deadline });
    } finally {
      release();
    }
  }

  async arrow(target: QueryTarget, sql: string, parameters: QueryParameters, options: QueryOptions = {}): Promise<ArrowStream> {
    const { release, deadline } = await this.acquire(target, sql, options);
    let stream: ArrowStream;
    try {
      stream = await this.engine.arrow(target, sql, parameters, { ...options, deadline });
    } catch (error) {
      release();
      throw error;
    }
    return {
      schema: stream.schema,
      messages: releasing(stream.messages, release),
      close: () => {
        stream.close();
        release();
      },
    };
  }
}

/** The parts of a stream, and the slot given back once they end (or the reader stops early). */
async function* releasing<T>(parts: AsyncIterable<T>, release: () => void): AsyncGenerator<T> {
  try {
    yield* parts;
  } finally {
    release();
  }
}
