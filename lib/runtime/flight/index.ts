// The runtime's Arrow Flight and Flight SQL door, opened by the same app keys as /v1/sql:
// lib/runtime/main.ts builds it with createFlightServer and starts it on FLIGHT_PORT.
export { flightConfig, type FlightConfig, type FlightTls } from './config';
export { ensureSelfSignedCertificate, loadTls } from './tls';
export { createFlightServer, type FlightKey, type FlightServer, type FlightServerDeps } from './server';
export { flightTicketSecret } from './tickets';
