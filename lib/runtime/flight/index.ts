/**
 * The runtime's third door: Arrow Flight and Flight SQL on FLIGHT_PORT, opened by the same app
 * keys as /v1/sql. Wiring it into the runtime process (lib/runtime/main.ts):
 *
 *   const flight = flightConfig();
 *   const server = createFlightServer({
 *     authenticate: (presented) => authenticateKey(presented, keys, env.keySecrets.digestSecret),
 *     limiter,                                    // the HTTP door's FailureLimiter
 *     engine,                                     // the runtime's QueryEngine
 *     tls: loadTls(flight.tls),                   // null when FLIGHT_TLS=off
 *     ticketSecret: flightTicketSecret(env.keySecrets.digestSecret), // the same on every instance
 *     stallTimeoutMs: config.queryTimeoutMs,      // a DoGet whose client takes nothing this long ends
 *     onAuthenticated: (key) => recordLastUse(key), // optional: the "last used" write
 *     log: console.error,
 *   });
 *   await server.start(flight.port, flight.host);  // and server.close() on shutdown
 *
 * The limiter should be the HTTP door's instance, so failures count once per address. Tickets
 * are signed with ticketSecret: every instance behind one address must be given the same
 * KEY_DIGEST_SECRET (they already must, to check keys).
 */
export { flightConfig, type FlightConfig, type FlightTls } from './config';
export { ensureSelfSignedCertificate, loadTls } from './tls';
export { createFlightServer, type FlightFailureLimiter, type FlightKey, type FlightServer, type FlightServerDeps } from './server';
export { flightTicketSecret } from './tickets';
