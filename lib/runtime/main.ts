// The runtime server's entry point: the data plane that app keys authenticate, on RUNTIME_PORT
// (default 8090) for HTTP and FLIGHT_PORT (default 50051) for Arrow Flight. `npm start`
// supervises it beside the portal; `npm run runtime` starts it alone. It needs only DATABASE_URL
// and the two key secrets; it never runs the portal's start-up. This process serves the sockets,
// checks keys and schedules queries; DuckDB runs in its engine workers (workers/), each under an
// OS memory limit, so no query can take this process's memory.
import type { AddressInfo } from 'node:net';
import { FailureLimiter } from '../shared/http/failure-limiter';
import { createLogger } from '../shared/logger';
import { runtimeConfig, runtimeDatabase, sizeInBytes } from './config';
import { createFlightServer, flightConfig, flightTicketSecret, loadTls } from './flight';
import { KeyChecker } from './key-check';
import { assertRuntimeSecrets, openKeyStore } from './key-store';
import { KeyUsageRecorder } from './key-usage';
import { DELETED_APPS_SWEEP_MS, removeDeletedApps, storedAppIds } from './deleted-apps';
import { RuntimeMetrics, startMetricsServer } from './metrics';
import { ScheduledEngine } from './scheduled-engine';
import { FairScheduler } from './scheduler';
import { RunningQueries } from './revocation';
import { UnknownKeys } from './unknown-keys';
import { createRuntimeServer } from './server';
import { EngineWorkerPool } from './workers/pool';

try {
  const config = runtimeConfig();
  // Every message of the runtime's own, and one line per request on both doors: JSON, or readable on a terminal.
  const logger = createLogger('runtime');
  const flight = flightConfig();
  const { databaseUrl, secrets } = runtimeDatabase();
  const keys = openKeyStore(databaseUrl);
  try {
    await assertRuntimeSecrets(keys, secrets);
  } catch (error) {
    await keys.close().catch(() => undefined);
    throw error;
  }
  const log = (message: string) => logger.info(message);
  const metrics = new RuntimeMetrics();
  const pool = new EngineWorkerPool({
    size: config.workers.count,
    memoryLimit: config.workers.memoryLimit,
    memoryLimitBytes: sizeInBytes(config.workers.memoryLimit),
    queryTimeoutMs: config.queryTimeoutMs,
    // A worker that stopped, or a limit that cannot be enforced, is a warning; a worker ready is news.
    log: (message) => (/ready \(pid/.test(message) ? logger.info(message) : logger.warn(message)),
    onRestart: (cause) => metrics.workerRestarted(cause),
  });
  await pool.ready();
  const scheduler = new FairScheduler(config.concurrency);
  const engine = new ScheduledEngine(pool, scheduler, config.queryTimeoutMs, metrics);
  const databases = { storedAppIds: () => storedAppIds(config.dataDir), remove: (appId: number) => pool.remove([appId]) };
  // One limiter and one usage count for both doors: failures count once per address, uses once per key.
  const limiter = new FailureLimiter(config.authFailuresPerMinute);
  const usage = new KeyUsageRecorder(keys, config.lastUsedIntervalMs, log);
  // And one key check, with one memory of digests that have no row: an unknown key is answered
  // 401 without the database on both doors.
  const unknownKeys = new UnknownKeys();
  const checker = new KeyChecker(keys, secrets.digestSecret, unknownKeys, metrics);
  // And one watch on running queries: a revoked key's queries stop on both doors.
  const revocation = new RunningQueries(keys, { intervalMs: config.revocationCheckMs, log });
  const server = createRuntimeServer({
    config,
    keys,
    engine,
    digestSecret: secrets.digestSecret,
    limiter,
    usage,
    checker,
    revocation,
    log,
    metrics,
    logger,
  });
  server.keepAliveTimeout = 65_000;

  const tls = loadTls(flight.tls);
  const flightServer = createFlightServer({
    authenticate: async (presented) => (await checker.check('flight', presented)).key,
    limiter,
    engine,
    tls,
    // Tickets are signed with a secret every instance shares, so any instance redeems them.
    ticketSecret: flightTicketSecret(secrets.digestSecret),
    stallTimeoutMs: config.queryTimeoutMs,
    onAuthenticated: (key) => usage.record(key),
    revocation,
    log: (message) => logger.warn(message),
    onCall: (call) => {
      metrics.request('flight', call.method, call.status, call.errorCode);
      logger.info(
        {
          requestId: call.id,
          door: 'flight',
          route: call.method,
          status: call.status,
          ms: Math.round(call.ms * 100) / 100,
          ...(call.appId !== undefined ? { appId: call.appId, slot: call.slot } : {}),
          ...(call.errorCode ? { error: call.errorCode } : {}),
        },
        'request',
      );
    },
  });
  const flightPort = await flightServer.start(flight.port, flight.host);
  metrics.observe({ scheduler, unknownKeys, workers: () => pool.running(), openFlightStreams: () => flightServer.openStreams() });
  const metricsServer = await startMetricsServer(metrics, config.metrics.port, config.metrics.host);

  const sweep = () =>
    removeDeletedApps(keys, databases, log).catch((error: unknown) => {
      log(`[runtime] could not check for deleted apps: ${error instanceof Error ? error.name : 'unknown error'}`);
    });
  void sweep();
  setInterval(() => void sweep(), DELETED_APPS_SWEEP_MS).unref();

  server.listen(config.port, config.host, () => {
    // The port bound, also when RUNTIME_PORT=0 asked for any free one.
    const { port } = server.address() as AddressInfo;
    log(`Runtime listening on http://${config.host}:${port} (POST /v1/sql, GET /health, GET /v1/ready)`);
    log(`Arrow Flight listening on ${tls ? 'grpc+tls' : 'grpc'}://${flight.host}:${flightPort}${tls ? '' : ' (TLS off: keys cross in clear)'}`);
    log(`Metrics listening on http://${config.metrics.host}:${metricsServer.port}/metrics`);
  });
  const stop = () => {
    revocation.close();
    metricsServer.server.close();
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
