// The runtime server's entry point (started by npm start beside the portal): the data plane
// that app keys authenticate, on RUNTIME_PORT (default 8090).
import { resolveDatabaseUrl } from '../database-url';
import { serverEnv } from '../env';
import { checkSecrets } from '../startup';
import { AppDatabases } from './app-databases';
import { runtimeConfig } from './config';
import { openKeyStore } from './key-store';
import { createRuntimeServer } from './server';

try {
  const config = runtimeConfig();
  await checkSecrets();
  const env = serverEnv();
  const keys = openKeyStore(resolveDatabaseUrl(process.env.DATABASE_URL));
  const databases = new AppDatabases(config.dataDir, config.duckdb);
  const server = createRuntimeServer({ config, keys, databases, digestSecret: env.keySecrets.digestSecret });
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
