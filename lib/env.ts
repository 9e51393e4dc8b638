import path from 'node:path';
import { z } from 'zod';
import { databaseProvider, resolveDatabaseUrl, sqliteFile } from './shared/database-url';
import { configurationError, keySecretsFrom, keySecretsSchema, type Env, type KeySecrets } from './shared/config';
import { runtimeEndpoints } from './shared/runtime-endpoints';
import { readSecretsFile, secretsFileFor, SECRET_NAMES } from './shared/secrets';
import { SESSION_MAX_AGE_SECONDS } from './auth/sessions';
import { logLevelSchema } from './shared/log-level';

/** Who notification emails are from when MAIL_FROM is not set. */
export const DEFAULT_MAIL_FROM = 'Spice Portal <no-reply@localhost>';

/** log2 of scrypt's cost N for new password hashes: 15 (32 MiB, about 50–100 ms) in production; tests lower it. */
export const DEFAULT_PASSWORD_HASH_COST = 15;

const envSchema = keySecretsSchema.extend({
  DATABASE_URL: z.string(),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  GITHUB_ID: z.string().min(1).optional(),
  GITHUB_SECRET: z.string().min(1).optional(),
  PASSWORD_HASH_COST: z.coerce.number().int().min(4).max(20).default(DEFAULT_PASSWORD_HASH_COST),
  API_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  SIGNUP_LIMIT_PER_HOUR: z.coerce.number().int().min(0).default(30),
  SIGNIN_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(30),
  MAX_APPS_PER_ORG: z.coerce.number().int().min(1).default(25),
  STEP_UP_WINDOW_SECONDS: z.coerce.number().int().min(10).max(SESSION_MAX_AGE_SECONDS).default(600),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' })
    .optional()
    .or(z.literal('').transform(() => undefined)),
  MAIL_FROM: z.string().trim().min(3).max(200).default(DEFAULT_MAIL_FROM),
  /** The bearer token of GET /api/metrics; unset (or empty): no metrics route. */
  METRICS_TOKEN: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(16, 'must be at least 16 characters').optional()),
  /** `true`: webhooks may be delivered to private, loopback and link-local addresses, and over http:// (tests, on-premises). */
  WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false'], { error: 'must be true or false' }).default('false'),
  /** Checked here so that a wrong level stops the portal with the others (lib/shared/logger.ts reads it). */
  LOG_LEVEL: logLevelSchema,
});

export type ServerEnv = {
  databaseUrl: string;
  provider: ReturnType<typeof databaseProvider>;
  keySecrets: KeySecrets;
  nextAuthSecret: string;
  github: { clientId: string; clientSecret: string } | null;
  /** log2 of scrypt's N for new password hashes. */
  passwordHashCost: number;
  /** Failed management-API authentications per address per minute; 0 switches the limiter off. */
  apiAuthFailuresPerMinute: number;
  /** Sign-up attempts per client address per hour, sign-in attempts per address per minute; 0 switches a limit off. */
  signUpLimitPerHour: number;
  signInLimitPerMinute: number;
  /** Apps one organization may have: apps are not free tickets to the runtime's query slots. */
  maxAppsPerOrg: number;
  /** How recent a session's last authentication must be for a sensitive action (lib/auth/step-up.ts). */
  stepUpWindowSeconds: number;
  /** Notification emails: the SMTP server (SMTP_URL) and the sender (MAIL_FROM); null without SMTP_URL (the inbox only). */
  mail: { smtpUrl: string; from: string } | null;
  /** The token GET /api/metrics asks for, or null: the route is off. */
  metricsToken: string | null;
  /** Webhooks may go to private addresses and over http:// (WEBHOOKS_ALLOW_PRIVATE=true). */
  webhooksAllowPrivate: boolean;
};

let cached: ServerEnv | undefined;

/**
 * The server's configuration, parsed once with zod. With no DATABASE_URL the portal runs on the
 * embedded SQLite file and reads missing secrets from the secrets file beside it (which
 * `npm start` creates). A missing or malformed secret is a clear error naming the variable.
 */
export function serverEnv(): ServerEnv {
  if (cached) return cached;
  const databaseUrl = resolveDatabaseUrl(process.env.DATABASE_URL);
  const provider = databaseProvider(databaseUrl);
  const raw: Record<string, string | undefined> = { ...process.env, DATABASE_URL: databaseUrl };
  if (provider === 'sqlite' && SECRET_NAMES.some((name) => !raw[name])) {
    const file = secretsFileFor(sqliteFile(databaseUrl));
    const stored = readSecretsFile(file) ?? {};
    for (const name of SECRET_NAMES) raw[name] ??= stored[name];
  }
  const parsed = envSchema.safeParse(raw);
  if (!parsed.success) {
    throw configurationError(
      'server',
      parsed.error.issues,
      provider === 'sqlite'
        ? `On the embedded database, \`npm start\` generates missing secrets into ${path.relative(process.cwd(), secretsFileFor(sqliteFile(databaseUrl)))}.`
        : 'Set them in the environment (see docs/deploying.md).',
    );
  }
  const env = parsed.data;
  cached = {
    databaseUrl,
    provider,
    keySecrets: keySecretsFrom(env),
    nextAuthSecret: env.NEXTAUTH_SECRET,
    github: env.GITHUB_ID && env.GITHUB_SECRET ? { clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET } : null,
    passwordHashCost: env.PASSWORD_HASH_COST,
    apiAuthFailuresPerMinute: env.API_AUTH_FAILURES_PER_MINUTE,
    signUpLimitPerHour: env.SIGNUP_LIMIT_PER_HOUR,
    signInLimitPerMinute: env.SIGNIN_LIMIT_PER_MINUTE,
    maxAppsPerOrg: env.MAX_APPS_PER_ORG,
    stepUpWindowSeconds: env.STEP_UP_WINDOW_SECONDS,
    mail: env.SMTP_URL ? { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM } : null,
    metricsToken: env.METRICS_TOKEN ?? null,
    webhooksAllowPrivate: env.WEBHOOKS_ALLOW_PRIVATE === 'true',
  };
  return cached;
}

/** The runtime's address as users see it (the General page, the Overview and the OpenAPI document). */
export function runtimePublicUrl(env: Env = process.env): string {
  return runtimeEndpoints(env).publicUrl;
}

/** Where the portal's own server reaches the runtime (the Overview's Run query): loopback by default. */
export function runtimeInternalUrl(env: Env = process.env): string {
  return runtimeEndpoints(env).internalUrl;
}

/** The runtime's Arrow Flight address as users see it: FLIGHT_PUBLIC_URL, or grpc+tls://localhost:<FLIGHT_PORT> (grpc:// when FLIGHT_TLS=off). */
export function flightPublicUrl(env: Env = process.env): string {
  return runtimeEndpoints(env).flightPublicUrl;
}

/**
 * The certificate a Flight client must trust when the runtime serves the self-signed one it
 * generates: its path in the project folder, for the SDK's tlsRootCertFile. Null when TLS is off
 * or the operator's own certificate is served.
 */
export function flightGeneratedCertificate(env: Env = process.env): string | null {
  return runtimeEndpoints(env).generatedCertificate;
}
