// Starts the Flight server on a free loopback port with the runtime's real key check (the key
// store on the test database, no cache) and the test engine; TLS with a generated certificate,
// or plain gRPC.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serverEnv } from '@/lib/env';
import { FailureLimiter } from '@/lib/shared/http/failure-limiter';
import { createFlightServer, flightTicketSecret, loadTls, type FlightServerDeps } from '@/lib/runtime/flight';
import { authenticateKey, openKeyStore } from '@/lib/runtime/key-store';
import type { QueryEngine } from '@/lib/runtime/query-engine';
import { RunningQueries } from '@/lib/runtime/revocation';
import { createRuntimeEngine } from './flight-engine';

export async function startFlight(options: {
  tls: boolean;
  failuresPerMinute?: number;
  engine?: (dir: string) => QueryEngine & { close(): Promise<void> };
  /** Limits to set instead of the defaults (stallTimeoutMs, putIdleMs, …). */
  deps?: Pick<Partial<FlightServerDeps>, 'stallTimeoutMs' | 'putIdleMs' | 'statements' | 'maxCatalogRows' | 'uploads'>;
}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flight-'));
  const keys = openKeyStore(process.env.DATABASE_URL!);
  const digestSecret = serverEnv().keySecrets.digestSecret;
  const engine = (options.engine ?? createRuntimeEngine)(dir);
  const tlsDir = path.join(dir, 'flight-tls');
  const tls = options.tls ? loadTls({ mode: 'generated', dir: tlsDir }) : null;
  const logs: string[] = [];
  // As the runtime does: a DoGet whose key is revoked is stopped.
  const revocation = new RunningQueries(keys, { log: (message) => logs.push(message) });
  const server = createFlightServer({
    authenticate: (presented) => authenticateKey(presented, keys, digestSecret),
    limiter: new FailureLimiter(options.failuresPerMinute ?? 20),
    engine,
    tls,
    // As the runtime derives it: every instance on the same KEY_DIGEST_SECRET redeems the others' tickets.
    ticketSecret: flightTicketSecret(digestSecret),
    log: (message) => logs.push(message),
    revocation,
    ...options.deps,
  });
  const port = await server.start(0, '127.0.0.1');
  return {
    port,
    certFile: tls ? tls.certFile : null,
    dir,
    logs,
    revocation,
    async stop() {
      revocation.close();
      await server.close();
      await engine.close();
      await keys.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
