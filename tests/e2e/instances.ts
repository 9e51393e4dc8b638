// Starts more instances of the production servers (portal + runtime, through npm start's own
// script) on the browser tests' database, and stops or kills them.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SpiceClient } from '@spiceai/spice';
import { flightPortFor, flightTlsDir, instanceEnv } from './servers';

export type Instance = { portalURL: string; runtimeURL: string; stop: () => Promise<void>; kill: () => Promise<void> };

async function waitFor(url: string, until: number): Promise<void> {
  while (Date.now() < until) {
    if (
      await fetch(url)
        .then((r) => r.ok)
        .catch(() => false)
    )
      return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not come up`);
}

export async function startInstance(name: string, ports: { portal: number; runtime: number }, extraEnv: Record<string, string> = {}): Promise<Instance> {
  const child = spawn('node_modules/.bin/tsx', ['scripts/start.ts', '--skip-build'], {
    env: { ...process.env, ...instanceEnv(name, ports), ...extraEnv },
    // Its own process group, so that the whole tree (launcher, next, runtime) can be signalled.
    detached: true,
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = async (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  };
  const portalURL = `http://127.0.0.1:${ports.portal}`;
  const runtimeURL = `http://127.0.0.1:${ports.runtime}`;
  const until = Date.now() + 90_000;
  try {
    await waitFor(`${portalURL}/api/health`, until);
    await waitFor(`${runtimeURL}/health`, until);
  } catch (error) {
    // An instance that never came up whole is stopped, so that it does not hold its ports (and
    // answer the next test that starts an instance there from another database).
    await signal('SIGKILL');
    throw error;
  }
  return { portalURL, runtimeURL, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL') };
}

export function query(runtimeURL: string, key: string, sql = 'SELECT 1 AS one') {
  return fetch(`${runtimeURL}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': key, 'Content-Type': 'text/plain' }, body: sql });
}

/**
 * One query over Arrow Flight with the official SDK (TLS with the runtimes' generated
 * certificate, Flight only: no fallback to HTTP): 'ok', or the gRPC status code it failed with.
 */
export async function flightQuery(runtimeURL: string, key: string): Promise<'ok' | number> {
  const runtimePort = Number(new URL(runtimeURL).port);
  const client = new SpiceClient({
    apiKey: key,
    flightUrl: `localhost:${flightPortFor(runtimePort)}`,
    flightTlsEnabled: true,
    tlsRootCertFile: path.resolve(flightTlsDir, 'cert.pem'),
    flightOnly: true,
    logging: false,
  });
  try {
    await client.sql('SELECT 1 AS one');
    return 'ok';
  } catch (error) {
    return (error as { code?: number }).code ?? -1;
  }
}
