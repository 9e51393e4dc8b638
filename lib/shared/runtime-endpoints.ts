import path from 'node:path';
import { z } from 'zod';
import { configurationError, type Env } from './config';

/**
 * Where the runtime listens and how users reach it: one definition, read by the runtime (to
 * bind its servers) and by the portal (the Connect panel, the Overview, the OpenAPI document).
 */
export const RUNTIME_DEFAULTS = {
  /** Spice's own runtime ports: HTTP and Arrow Flight. */
  port: 8090,
  flightPort: 50_051,
  /** Where the generated self-signed Flight certificate lives, relative to the project folder. */
  flightTlsDir: path.join('data', 'flight-tls'),
  /** Where each app's DuckDB database lives (the portal's start-up restricts its modes). */
  dataDir: path.join('data', 'runtime'),
} as const;

const port = (fallback: number) => z.coerce.number().int().min(0).max(65_535).default(fallback);
/** An empty variable counts as unset. */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);
const url = z.preprocess(
  unsetIfEmpty,
  z
    .string()
    .transform((value) => value.replace(/\/+$/, ''))
    .optional(),
);

const endpointsSchema = z.object({
  RUNTIME_PORT: port(RUNTIME_DEFAULTS.port),
  /** The runtime's address as users see it; http://localhost:<RUNTIME_PORT> by default. */
  RUNTIME_PUBLIC_URL: url,
  /** Where the portal's own server reaches the runtime (the Overview's Run query); loopback by default. */
  RUNTIME_INTERNAL_URL: url,
  /** The Arrow Flight (gRPC) port. */
  FLIGHT_PORT: port(RUNTIME_DEFAULTS.flightPort),
  /** auto: TLS with FLIGHT_TLS_CERT/FLIGHT_TLS_KEY, or a generated self-signed certificate; off: plain gRPC. */
  FLIGHT_TLS: z.enum(['auto', 'off']).default('auto'),
  FLIGHT_TLS_CERT: z.string().min(1).optional(),
  FLIGHT_TLS_KEY: z.string().min(1).optional(),
  /** Where the generated certificate lives. */
  FLIGHT_TLS_DIR: z.preprocess(unsetIfEmpty, z.string().default(RUNTIME_DEFAULTS.flightTlsDir)),
  /** Where each app's DuckDB database lives (the runtime's files; the portal's start-up restricts their modes). */
  RUNTIME_DATA_DIR: z.preprocess(unsetIfEmpty, z.string().default(RUNTIME_DEFAULTS.dataDir)),
  /** The Flight address users are shown, e.g. grpc+tls://flight.example.com:443. */
  FLIGHT_PUBLIC_URL: url,
});

export type FlightTls =
  | { mode: 'off' }
  /** Files given by the operator. */
  | { mode: 'files'; certFile: string; keyFile: string }
  /** A self-signed certificate for localhost and 127.0.0.1, generated once in `dir`. */
  | { mode: 'generated'; dir: string };

export type RuntimeEndpoints = {
  port: number;
  /** The runtime's data folder, absolute. */
  dataDir: string;
  publicUrl: string;
  internalUrl: string;
  flightPort: number;
  flightTls: FlightTls;
  flightPublicUrl: string;
  /**
   * The certificate a Flight client must trust when the runtime serves the one it generates: its
   * path relative to the project folder (never a server's absolute path), or null when TLS is
   * off or the operator's own certificate is served.
   */
  generatedCertificate: string | null;
};

/** The runtime's endpoints, parsed with zod; a wrong value is a clear error naming the variable. */
export function runtimeEndpoints(env: Env = process.env, cwd = process.cwd()): RuntimeEndpoints {
  const parsed = endpointsSchema.safeParse(env);
  if (!parsed.success) throw configurationError('runtime', parsed.error.issues);
  const e = parsed.data;
  if ((e.FLIGHT_TLS_CERT === undefined) !== (e.FLIGHT_TLS_KEY === undefined)) {
    throw new Error('Invalid Flight configuration:\n  FLIGHT_TLS_CERT and FLIGHT_TLS_KEY must be set together');
  }
  if (e.FLIGHT_TLS === 'off' && e.FLIGHT_TLS_CERT !== undefined) {
    throw new Error('Invalid Flight configuration:\n  FLIGHT_TLS_CERT is set but FLIGHT_TLS is off');
  }
  const flightTls: FlightTls =
    e.FLIGHT_TLS === 'off'
      ? { mode: 'off' }
      : e.FLIGHT_TLS_CERT !== undefined && e.FLIGHT_TLS_KEY !== undefined
        ? { mode: 'files', certFile: path.resolve(cwd, e.FLIGHT_TLS_CERT), keyFile: path.resolve(cwd, e.FLIGHT_TLS_KEY) }
        : { mode: 'generated', dir: path.resolve(cwd, e.FLIGHT_TLS_DIR) };
  let generatedCertificate: string | null = null;
  if (flightTls.mode === 'generated') {
    const relative = path.relative(cwd, path.join(flightTls.dir, 'cert.pem'));
    generatedCertificate = relative.startsWith('..') || path.isAbsolute(relative) ? 'path/to/flight-tls/cert.pem' : relative;
  }
  return {
    port: e.RUNTIME_PORT,
    // Not traced into the portal's server bundle: the folder is the runtime's data.
    dataDir: path.resolve(/*turbopackIgnore: true*/ cwd, e.RUNTIME_DATA_DIR),
    publicUrl: e.RUNTIME_PUBLIC_URL ?? `http://localhost:${e.RUNTIME_PORT}`,
    internalUrl: e.RUNTIME_INTERNAL_URL ?? `http://127.0.0.1:${e.RUNTIME_PORT}`,
    flightPort: e.FLIGHT_PORT,
    flightTls,
    flightPublicUrl: e.FLIGHT_PUBLIC_URL ?? `${flightTls.mode === 'off' ? 'grpc' : 'grpc+tls'}://localhost:${e.FLIGHT_PORT}`,
    generatedCertificate,
  };
}
