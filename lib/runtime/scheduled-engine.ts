import {
  checkedSql,
  queryErrors,
  type AnswerOptions,
  type AnswerStream,
  type ArrowStream,
  type Described,
  type QueryEngine,
  type QueryOptions,
  type QueryParameters,
  type QueryTarget,
} from './query-engine';
import { AppError } from '../shared/errors';
import type { FairScheduler } from './scheduler';

/** Told how long each query waited for its slot and then ran, and how each ended (the runtime's metrics). */
export type QueryObserver = {
  queueWait(outcome: string, seconds: number): void;
  query(outcome: string, seconds: number): void;
};

const outcomeOf = (error: unknown) => (error instanceof AppError ? error.code : 'internal');

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
    private readonly observer?: QueryObserver,
  ) {}

  /**
   * A slot, and the function that gives it back: once, with how the query ended (`undefined`: it
   * ran to its end), which the observer is told with the time it held the slot.
   */
  private async acquire(target: QueryTarget, sql: string, options: QueryOptions) {
    checkedSql(sql);
    const deadline = Date.now() + this.queryTimeoutMs;
    const timeoutMessage = `The query ran longer than ${this.queryTimeoutMs / 1000} s (RUNTIME_QUERY_TIMEOUT_MS) and was stopped.`;
    const asked = performance.now();
    let free: () => void;
    try {
      free = await this.slots.acquire({
        orgId: target.orgId,
        appId: target.appId,
        cost: Buffer.byteLength(sql),
        deadline,
        timeoutMessage,
        signal: options.signal,
      });
    } catch (error) {
      this.observer?.queueWait(outcomeOf(error), (performance.now() - asked) / 1000);
      throw error;
    }
    const started = performance.now();
    this.observer?.queueWait('started', (started - asked) / 1000);
    let released = false;
    const release = (error?: unknown) => {
      if (released) return;
      released = true;
      free();
      this.observer?.query(error === undefined ? 'ok' : outcomeOf(error), (performance.now() - started) / 1000);
    };
    return { release, deadline };
  }

  /** The slot is held until the answer has been taken (or given up): an answer not yet sent is held where it was made. */
  async answer(target: QueryTarget, sql: string, parameters: QueryParameters, options: AnswerOptions): Promise<AnswerStream> {
    const { release, deadline } = await this.acquire(target, sql, options);
    let answer: AnswerStream;
    try {
      answer = await this.engine.answer(target, sql, parameters, { ...options, deadline });
    } catch (error) {
      release(error);
      throw error;
    }
    // Closed before its parts were all taken: the client went away.
    return { ...answer, parts: releasing(answer.parts, release), close: () => (answer.close(), release(queryErrors.cancelled())) };
  }

  async describe(target: QueryTarget, sql: string, options: QueryOptions = {}): Promise<Described> {
    const { release, deadline } = await this.acquire(target, sql, options);
    try {
      const described = await this.engine.describe(target, sql, { ...options, deadline });
      release();
      return described;
    } catch (error) {
      release(error);
      throw error;
    }
  }

  async arrow(target: QueryTarget, sql: string, parameters: QueryParameters, options: QueryOptions = {}): Promise<ArrowStream> {
    const { release, deadline } = await this.acquire(target, sql, options);
    let stream: ArrowStream;
    try {
      stream = await this.engine.arrow(target, sql, parameters, { ...options, deadline });
    } catch (error) {
      release(error);
      throw error;
    }
    return {
      schema: stream.schema,
      messages: releasing(stream.messages, release),
      close: () => {
        stream.close();
        release(queryErrors.cancelled());
      },
    };
  }
}

/** The parts of a stream, and the slot given back once they end, fail (with the error) or the reader stops early. */
async function* releasing<T>(parts: AsyncIterable<T>, release: (error?: unknown) => void): AsyncGenerator<T> {
  let complete = false;
  try {
    yield* parts;
    complete = true;
  } catch (error) {
    release(error);
    throw error;
  } finally {
    release(complete ? undefined : queryErrors.cancelled());
  }
}
