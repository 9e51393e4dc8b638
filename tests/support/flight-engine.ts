// The runtime's own query engine (sandbox, fairness, limits) on app databases in a folder of the
// test's: what the Flight door runs on in production, for the Flight tests.
import { AppDatabases } from '@/lib/runtime/app-databases';
import { runtimeConfig } from '@/lib/runtime/config';
import { DuckDBQueryEngine } from '@/lib/runtime/engine';
import type { QueryEngine } from '@/lib/runtime/query-engine';

export function createRuntimeEngine(dir: string, env: Record<string, string> = {}): QueryEngine & { close(): Promise<void> } {
  const config = runtimeConfig({ RUNTIME_DATA_DIR: dir, ...env });
  const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps });
  const engine = new DuckDBQueryEngine(databases, config);
  return {
    stream: (target, sql, parameters, options) => engine.stream(target, sql, parameters, options),
    describe: (target, sql, options) => engine.describe(target, sql, options),
    close: () => databases.close(),
  };
}
