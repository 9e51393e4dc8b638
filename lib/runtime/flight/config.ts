import path from 'node:path';
import { z } from 'zod';
import { configurationError } from '../config';

const flightEnvSchema = z.object({
  /** The Arrow Flight (gRPC) port; 50051 is the port of Spice's own runtime. */
  FLIGHT_PORT: z.coerce.number().int().min(0).max(65_535).default(50_051),
  FLIGHT_HOST: z.string().min(1).default('0.0.0.0'),
  /** auto: TLS with FLIGHT_TLS_CERT/FLIGHT_TLS_KEY, or a generated self-signed certificate; off: plain gRPC. */
  FLIGHT_TLS: z.enum(['auto', 'off']).default('auto'),
  FLIGHT_TLS_CERT: z.string().min(1).optional(),
  FLIGHT_TLS_KEY: z.string().min(1).optional(),
  /** The address users are shown, e.g. grpc+tls://flight.example.com:443 (read by the portal, lib/env.ts). */
  FLIGHT_PUBLIC_URL: z.string().min(1).optional(),
  /** Where the generated certificate lives (data/flight-tls by default). */
  FLIGHT_TLS_DIR: z.string().min(1).default(path.join('data', 'flight-tls')),
});

export type FlightTls =
  | { mode: 'off' }
  /** Files given by the operator. */
  | { mode: 'files'; certFile: string; keyFile: string }
  /** A self-signed certificate for localhost and 127.0.0.1, generated once in `dir`. */
  | { mode: 'generated'; dir: string };

export type FlightConfig = { port: number; host: string; tls: FlightTls };

export function flightConfig(env: Record<string, string | undefined> = process.env): FlightConfig {
  const parsed = flightEnvSchema.safeParse(env);
  if (!parsed.success) throw configurationError('Flight', parsed.error.issues);
  const e = parsed.data;
  if ((e.FLIGHT_TLS_CERT === undefined) !== (e.FLIGHT_TLS_KEY === undefined)) {
    throw new Error('Invalid Flight configuration:\n  FLIGHT_TLS_CERT and FLIGHT_TLS_KEY must be set together');
  }
  if (e.FLIGHT_TLS === 'off' && e.FLIGHT_TLS_CERT !== undefined) {
    throw new Error('Invalid Flight configuration:\n  FLIGHT_TLS_CERT is set but FLIGHT_TLS is off');
  }
  const tls: FlightTls =
    e.FLIGHT_TLS === 'off'
      ? { mode: 'off' }
      : e.FLIGHT_TLS_CERT !== undefined && e.FLIGHT_TLS_KEY !== undefined
        ? { mode: 'files', certFile: path.resolve(e.FLIGHT_TLS_CERT), keyFile: path.resolve(e.FLIGHT_TLS_KEY) }
        : { mode: 'generated', dir: path.resolve(e.FLIGHT_TLS_DIR) };
  return { port: e.FLIGHT_PORT, host: e.FLIGHT_HOST, tls };
}
