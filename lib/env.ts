import path from 'node:path';
import { z } from 'zod';
import { databaseProvider, resolveDatabaseUrl, sqliteFile } from './shared/database-url';
import { DEFAULT_PASSWORD_HASH_COST } from './auth/password';
import type { KeySecrets } from './shared/keys/crypto';
import { readSecretsFile, secretsFileFor, SECRET_NAMES } from './shared/secrets';

/** A secret given in base64: exactly, or at least, `bytes` long once decoded. */
export const base64Secret = (bytes: number, exact: boolean) =>
  z
    .string()
    .transform((value) => Buffer.from(value, 'base64'))
    .refine((buf) => (exact ? buf.length === bytes : buf.length >= bytes), {
      message: exact ? `must be ${bytes} bytes, base64-encoded` : `must be at least ${bytes} bytes, base64-encoded`,
    });

const envSchema = z.object({
  DATABASE_URL: z.string(),
  KEY_ENCRYPTION_KEY: base64Secret(32, true),
  KEY_DIGEST_SECRET: base64Secret(32, false),
  NEXTAUTH_SECRET: z.string().min(32, 'must be at least 32 characters'),
  GITHUB_ID: z.string().min(1).optional(),
  GITHUB_SECRET: z.string().min(1).optional(),
  PASSWORD_HASH_COST: z.coerce.number().int().min(4).max(20).default(DEFAULT_PASSWORD_HASH_COST),
  API_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(0).default(20),
  SIGNUP_LIMIT_PER_HOUR: z.coerce.number().int().min(0).default(30),
  SIGNIN_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).default(30),
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
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.')}: ${issue.message === 'Invalid input: expected string, received undefined' ? 'is not set' : issue.message}`)
      .join('\n');
    throw new Error(
      `Invalid server configuration:\n${problems}\n` +
        (provider === 'sqlite'
          ? `On the embedded database, \`npm start\` generates missing secrets into ${path.relative(process.cwd(), secretsFileFor(sqliteFile(databaseUrl)))}.`
          : 'Set them in the environment (see README, Deploying).'),
    );
  }
  const env = parsed.data;
  cached = {
    databaseUrl,
    provider,
    keySecrets: { encryptionKey: env.KEY_ENCRYPTION_KEY, digestSecret: env.KEY_DIGEST_SECRET },
    nextAuthSecret: env.NEXTAUTH_SECRET,
    github: env.GITHUB_ID && env.GITHUB_SECRET ? { clientId: env.GITHUB_ID, clientSecret: env.GITHUB_SECRET } : null,
    passwordHashCost: env.PASSWORD_HASH_COST,
    apiAuthFailuresPerMinute: env.API_AUTH_FAILURES_PER_MINUTE,
    signUpLimitPerHour: env.SIGNUP_LIMIT_PER_HOUR,
    signInLimitPerMinute: env.SIGNIN_LIMIT_PER_MINUTE,
  };
  return cached;
}

/** The runtime's address as users see it (the General page, the Overview and the OpenAPI document): portal configuration. */
export function runtimePublicUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.RUNTIME_PUBLIC_URL ?? `http://localhost:${env.RUNTIME_PORT ?? 8090}`).replace(/\/+$/, '');
}

/** Where the portal's own server reaches the runtime (the Overview's Run query): loopback by default. */
export function runtimeInternalUrl(env: Record<string, string | undefined> = process.env): string {
  return (env.RUNTIME_INTERNAL_URL ?? `http://127.0.0.1:${env.RUNTIME_PORT ?? 8090}`).replace(/\/+$/, '');
}

/**
 * The runtime's Arrow Flight address as users see it: FLIGHT_PUBLIC_URL, or
 * grpc+tls://localhost:<FLIGHT_PORT> (grpc:// when FLIGHT_TLS=off).
 */
export function flightPublicUrl(env: Record<string, string | undefined> = process.env): string {
  const scheme = env.FLIGHT_TLS === 'off' ? 'grpc' : 'grpc+tls';
  return (env.FLIGHT_PUBLIC_URL ?? `${scheme}://localhost:${env.FLIGHT_PORT ?? 50051}`).replace(/\/+$/, '');
}

/**
 * The certificate a Flight client must trust when the runtime serves the self-signed one it
 * generates (FLIGHT_TLS=auto without FLIGHT_TLS_CERT): its path in the project folder, for the
 * SDK's tlsRootCertFile. Null when TLS is off or the operator's own certificate is served.
 */
export function flightGeneratedCertificate(env: Record<string, string | undefined> = process.env): string | null {
  if (env.FLIGHT_TLS === 'off' || env.FLIGHT_TLS_CERT) return null;
  // Relative to the project folder (where npm start runs, and where a copied example is run):
  // the page never shows a server's absolute path.
  const file = path.resolve(env.FLIGHT_TLS_DIR ?? path.join('data', 'flight-tls'), 'cert.pem');
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? 'path/to/flight-tls/cert.pem' : relative;
}
