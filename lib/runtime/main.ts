// The runtime server's entry point: the data plane that app keys authenticate, on RUNTIME_PORT
// (default 8090) for HTTP and FLIGHT_PORT (default 50051) for Arrow Flight. `npm start`
// supervises it beside the portal; `npm run runtime` starts it alone. It needs only DATABASE_URL
// and the two key secrets; it never runs the portal's start-up. This process serves the sockets,
// checks keys and schedules queries; DuckDB runs in its engine workers (workers/), each under an
// OS memory limit, so no query can take this process's memory.
import type { AddressInfo } from 'node:net';
import { FailureLimiter } from '../shared/http/failure-limiter';
import { runtimeConfig, runtimeDatabase, sizeInBytes } from './config';
import { createFlightServer, flightConfig, flightTicketSecret, loadTls } from './flight';
import { assertRuntimeSecrets, authenticateKey, openKeyStore } from './key-store';
import { KeyUsageRecorder } from './key-usage';
import { DELETED_APPS_SWEEP_MS, removeDeletedApps, storedAppIds } from './deleted-apps';
import { ScheduledEngine } from './scheduled-engine';
import { FairScheduler } from './scheduler';
import { RunningQueries } from './revocation';
import { UnknownKeys } from './unknown-keys';
import { createRuntimeServer } from './server';
import { EngineWorkerPool } from './workers/pool';

try {
  const config = runtimeConfig();
  const flight = flightConfig();
  const { databaseUrl, secrets } = runtimeDatabase();
  const keys = openKeyStore(databaseUrl);
  try {
    await assertRuntimeSecrets(keys, secrets);
  } catch (error) {
    await keys.close().catch(() => undefined);
    throw error;
  }
  const log = (message: string) => console.log(message);
  const pool = new EngineWorkerPool({
    size: config.workers.count,
    memoryLimit: config.workers.memoryLimit,
    memoryLimitBytes: sizeInBytes(config.workers.memoryLimit),
    queryTimeoutMs: config.queryTimeoutMs,
    log: (message) => console.error(message),
  });
  await pool.ready();
  const engine = new ScheduledEngine(pool, new FairScheduler(config.concurrency), config.queryTimeoutMs);
  const databases = { storedAppIds: () => storedAppIds(config.dataDir), remove: (appId: number) => pool.remove([appId]) };
  // One limiter and one usage count for both doors: failures count once per address, uses once per key.
  const limiter = new FailureLimiter(config.authFailuresPerMinute);
  const usage = new KeyUsageRecorder(keys, config.lastUsedIntervalMs, log);
  // And one memory of digests with no row: an unknown key is answered 401 without the database on both doors.
  const unknownKeys = new UnknownKeys();
  // And one watch on running queries: a revoked key's queries stop on both doors.
  const revocation = new RunningQueries(keys, { intervalMs: config.revocationCheckMs, log });
  const server = createRuntimeServer({ config, keys, engine, digestSecret: secrets.digestSecret, limiter, usage, unknownKeys, revocation, log });
  server.keepAliveTimeout = 65_000;

  const tls = loadTls(flight.tls);
  const flightServer = createFlightServer({
    authenticate: (presented) => authenticateKey(presented, keys, secrets.digestSecret, unknownKeys),
    limiter,
    engine,
    tls,
    // Tickets are signed with a secret every instance shares, so any instance redeems them.
    ticketSecret: flightTicketSecret(secrets.digestSecret),
    stallTimeoutMs: config.queryTimeoutMs,
    onAuthenticated: (key) => usage.record(key),
    revocation,
    log: (message) => console.error(message),
  });
  const flightPort = await flightServer.start(flight.port, flight.host);

  const sweep = () =>
    removeDeletedApps(keys, databases, log).catch((error: unknown) => {
      log(`[runtime] could not check for deleted apps: ${error instanceof Error ? error.name : 'unknown error'}`);
    });
  void sweep();
  setInterval(() => void sweep(), DELETED_APPS_SWEEP_MS).unref();

  server.listen(config.port, config.host, () => {
    // The port bound, also when RUNTIME_PORT=0 asked for any free one.
    const { port } = server.address() as AddressInfo;
    console.log(`Runtime listening on http://${config.host}:${port} (POST /v1/sql, GET /health, GET /v1/ready)`);
    console.log(`Arrow Flight listening on ${tls ? 'grpc+tls' : 'grpc'}://${flight.host}:${flightPort}${tls ? '' : ' (TLS off: keys cross in clear)'}`);
  });
  const stop = () => {
    revocation.close();
    server.close();
    server.closeAllConnections();
    void Promise.allSettled([flightServer.close(), usage.close()])
      .then(() => Promise.allSettled([pool.close(), keys.close()]))
      .finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (error) {
  console.error(`\nRuntime cannot start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
