import { z } from 'zod';
import { configurationError, type Env } from '../../shared/config';
import { runtimeEndpoints, type FlightTls } from '../../shared/runtime-endpoints';

export type { FlightTls };

const flightHostSchema = z.object({ FLIGHT_HOST: z.string().min(1).default('0.0.0.0') });

export type FlightConfig = { port: number; host: string; tls: FlightTls };

/** The Flight server's port and TLS (lib/shared/runtime-endpoints.ts, read by the portal too) and the address it binds. */
export function flightConfig(env: Env = process.env): FlightConfig {
  const parsed = flightHostSchema.safeParse(env);
  if (!parsed.success) throw configurationError('Flight', parsed.error.issues);
  const endpoints = runtimeEndpoints(env);
  return { port: endpoints.flightPort, host: parsed.data.FLIGHT_HOST, tls: endpoints.flightTls };
}
