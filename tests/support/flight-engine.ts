// The runtime's own query engine (sandbox, scheduler, limits) on app databases in a folder of the
// test's, in the test's process: the engine each engine worker runs, for the Flight tests.
import { AppDatabases } from '@/lib/runtime/app-databases';
import { runtimeConfig } from '@/lib/runtime/config';
import { inProcessEngine } from '@/lib/runtime/engines';
import type { QueryEngine } from '@/lib/runtime/query-engine';

export function createRuntimeEngine(dir: string, env: Record<string, string> = {}): QueryEngine & { close(): Promise<void> } {
  const config = runtimeConfig({ RUNTIME_DATA_DIR: dir, ...env });
  const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps });
  const engine = inProcessEngine(databases, config);
  return { answer: engine.answer.bind(engine), arrow: engine.arrow.bind(engine), describe: engine.describe.bind(engine), close: () => databases.close() };
}
