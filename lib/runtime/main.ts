// The runtime server's entry point: the data plane that app keys authenticate, on RUNTIME_PORT
// (default 8090). `npm start` supervises it beside the portal; `npm run runtime` starts it alone.
// It needs only DATABASE_URL and the two key secrets; it never runs the portal's start-up.
import { AppDatabases } from './app-databases';
import { runtimeConfig, runtimeDatabase } from './config';
import { DuckDBQueryEngine } from './engine';
import { assertRuntimeSecrets, openKeyStore } from './key-store';
import { createRuntimeServer } from './server';

try {
  const config = runtimeConfig();
  const { databaseUrl, secrets } = runtimeDatabase();
  const keys = openKeyStore(databaseUrl);
  try {
    await assertRuntimeSecrets(keys, secrets);
  } catch (error) {
    await keys.close().catch(() => undefined);
    throw error;
  }
  const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps });
  const engine = new DuckDBQueryEngine(databases, config);
  const server = createRuntimeServer({ config, keys, engine, digestSecret: secrets.digestSecret });
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, config.host, () => {
    console.log(`Runtime listening on http://${config.host}:${config.port} (POST /v1/sql, GET /health, GET /v1/ready)`);
  });
  const stop = () => {
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([databases.close(), keys.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`\nRuntime cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
