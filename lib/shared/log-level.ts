import { z } from 'zod';
import { configurationError, type Env } from './config';

/** The levels LOG_LEVEL takes (pino's), in a module of its own so that reading the setting loads no logger. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** LOG_LEVEL's schema (empty counts as unset), shared with the portal's env (lib/env.ts). */
export const logLevelSchema = z.preprocess((value) => (value === '' ? undefined : value), z.enum(LOG_LEVELS).default('info'));
const logEnvSchema = z.object({ LOG_LEVEL: logLevelSchema });

/** LOG_LEVEL, checked: a wrong value is a configuration error naming it. */
export function logLevel(env: Env = process.env, plane: 'runtime' | 'server' = 'runtime'): (typeof LOG_LEVELS)[number] {
  const parsed = logEnvSchema.safeParse(env);
  if (!parsed.success) throw configurationError(plane, parsed.error.issues);
  return parsed.data.LOG_LEVEL;
}
