// The Flight server alone in its own process, for measuring its memory from outside: the
// runtime's key check on DATABASE_URL, the runtime's engine on app databases in FLIGHT_TEST_DIR, TLS with a generated
// certificate. Prints one JSON line ({ port, certFile }) when it listens; stops on SIGTERM.
import path from 'node:path';
import { serverEnv } from '@/lib/env';
import { FailureLimiter } from '@/lib/shared/http/failure-limiter';
import { createFlightServer, flightTicketSecret, loadTls } from '@/lib/runtime/flight';
import { authenticateKey, openKeyStore } from '@/lib/runtime/key-store';
import { createRuntimeEngine } from './flight-engine';

const dir = process.env.FLIGHT_TEST_DIR!;
const keys = openKeyStore(process.env.DATABASE_URL!);
const digestSecret = serverEnv().keySecrets.digestSecret;
const engine = createRuntimeEngine(dir);
const tls = loadTls({ mode: 'generated', dir: path.join(dir, 'flight-tls') });
const server = createFlightServer({
  authenticate: (presented) => authenticateKey(presented, keys, digestSecret),
  limiter: new FailureLimiter(0), // 0: off, nothing here fails authentication on purpose
  engine,
  tls,
  ticketSecret: flightTicketSecret(digestSecret),
});
const port = await server.start(0, '127.0.0.1');
console.log(JSON.stringify({ port, certFile: tls?.certFile }));
process.on('SIGTERM', () => {
  void server
    .close()
    .then(() => engine.close())
    .finally(() => void keys.close().finally(() => process.exit(0)));
});
