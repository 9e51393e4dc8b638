// The runtime's Arrow Flight / Flight SQL door. See server.ts for what it needs to run.
export { flightConfig, type FlightConfig, type FlightTls } from './config';
export { ensureSelfSignedCertificate, loadTls } from './tls';
export { createFlightServer, type FlightFailureLimiter, type FlightKey, type FlightServer, type FlightServerDeps } from './server';
