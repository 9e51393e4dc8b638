import type { AppDatabases } from './app-databases';
import type { RuntimeConfig } from './config';
import { EncodingEngine } from './encoding-engine';
import { DuckDBQueryEngine } from './engine';
import type { QueryEngine } from './query-engine';
import { ScheduledEngine } from './scheduled-engine';
import { FairScheduler } from './scheduler';

/**
 * The whole engine in one process, on app databases it is given: the scheduler, the encoding and
 * DuckDB, as the runtime runs them split over its serving process and an engine worker. For tests
 * of the doors and for tools; the runtime itself runs DuckDB only in its workers (workers/pool.ts).
 */
export function inProcessEngine(databases: AppDatabases, config: RuntimeConfig): QueryEngine {
  return new ScheduledEngine(new EncodingEngine(new DuckDBQueryEngine(databases, config)), new FairScheduler(config.concurrency), config.queryTimeoutMs);
}
