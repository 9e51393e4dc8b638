// The servers the browser tests run against: instance A (started by Playwright's webServer) and,
// for the multi-instance and crash tests, more instances the tests start themselves, all on one
// database. Values are fixed so that every worker process computes the same ones.
import { createHash } from 'node:crypto';

export const postgres = process.env.TEST_DATABASE === 'postgresql';
export const provider = postgres ? 'postgresql' : 'sqlite';

export const portalPort = Number(process.env.E2E_PORT ?? 3210);
export const runtimePort = Number(process.env.E2E_RUNTIME_PORT ?? 8190);
export const portalURL = `http://127.0.0.1:${portalPort}`;
export const runtimeURL = `http://127.0.0.1:${runtimePort}`;

function postgresDatabaseUrl(name: string): string {
  const url = new URL(process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
  url.pathname = `/${name}`;
  return url.toString();
}

/** Test-only secrets: derived from fixed labels, never used outside the test database. */
const testSecret = (label: string) => createHash('sha256').update(`spice-portal-e2e:${label}`).digest('base64');

/** The environment every instance of the browser tests shares: one database, one set of secrets. */
export const sharedEnv: Record<string, string> = {
  DATABASE_URL: postgres ? postgresDatabaseUrl('e2e_portal') : 'file:.test-data/e2e-sqlite/portal.db',
  KEY_ENCRYPTION_KEY: testSecret('key-encryption'),
  KEY_DIGEST_SECRET: testSecret('key-digest'),
  NEXTAUTH_SECRET: testSecret('nextauth'),
  NEXT_DIST_DIR: postgres ? '.next-postgresql' : '.next',
  NEXT_TELEMETRY_DISABLED: '1',
  RUNTIME_HOST: '127.0.0.1',
  // A low hashing cost for the test accounts, so CI time goes to the tests (production keeps its default).
  PASSWORD_HASH_COST: '4',
  // Every browser test signs up and in from 127.0.0.1: the per-address limits are tested on servers of their own.
  SIGNUP_LIMIT_PER_HOUR: '100000',
  SIGNIN_LIMIT_PER_MINUTE: '100000',
  // Each worker's user makes the apps of many tests in its one organization.
  MAX_APPS_PER_ORG: '1000',
  // Key use is written at most every 2 s (60 s in production), so usage shows up within a test.
  RUNTIME_LAST_USED_INTERVAL_MS: '2000',
  // The webhook tests' receivers listen on loopback.
  WEBHOOKS_ALLOW_PRIVATE: 'true',
};

/** Where the instances' runtimes keep the generated Flight certificate (one for all). */
export const flightTlsDir = `.test-data/e2e-${provider}/flight-tls`;

/**
 * An instance's Arrow Flight port: its runtime port + 12000 (8190 → 20190), below the range the
 * system hands out for outgoing connections (32768 and up), so a client's socket never holds it.
 */
export const flightPortFor = (runtime: number) => runtime + 12_000;

/** One instance's own settings: its ports and its runtime data folder. */
export function instanceEnv(name: string, ports: { portal: number; runtime: number }): Record<string, string> {
  return {
    ...sharedEnv,
    PORT: String(ports.portal),
    RUNTIME_PORT: String(ports.runtime),
    RUNTIME_PUBLIC_URL: `http://127.0.0.1:${ports.runtime}`,
    RUNTIME_DATA_DIR: `.test-data/e2e-${provider}/runtime-${name}`,
    FLIGHT_PORT: String(flightPortFor(ports.runtime)),
    FLIGHT_TLS_DIR: flightTlsDir,
    // Any free port: instances (and other checkouts' tests) never compete for 9464.
    RUNTIME_METRICS_PORT: '0',
  };
}
