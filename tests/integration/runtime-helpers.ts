import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { serverEnv } from '@/lib/env';
import { AppDatabases, type AppDatabasesOptions } from '@/lib/runtime/app-databases';
import { runtimeConfig } from '@/lib/runtime/config';
import { inProcessEngine } from '@/lib/runtime/engines';
import { openKeyStore } from '@/lib/runtime/key-store';
import { RunningQueries } from '@/lib/runtime/revocation';
import { createRuntimeServer } from '@/lib/runtime/server';

/** Starts the real runtime server on a free loopback port, on the test database. */
export async function startRuntime(env: Record<string, string> = {}, databaseOptions: AppDatabasesOptions = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-data-'));
  const config = runtimeConfig({ RUNTIME_DATA_DIR: dataDir, ...env });
  const keys = openKeyStore(process.env.DATABASE_URL!);
  const databases = new AppDatabases(config.dataDir, config.duckdb, { maxOpen: config.maxOpenApps, ...databaseOptions });
  const engine = inProcessEngine(databases, config);
  const logs: string[] = [];
  const revocation = new RunningQueries(keys, { intervalMs: config.revocationCheckMs, log: (message) => logs.push(message) });
  const server = createRuntimeServer({
    config,
    keys,
    engine,
    digestSecret: serverEnv().keySecrets.digestSecret,
    revocation,
    log: (message) => logs.push(message),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    logs,
    dataDir,
    databases,
    keys,
    revocation,
    async stop() {
      revocation.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await databases.close();
      await keys.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function sql(url: string, key: string | null, body: string, headers: Record<string, string> = {}) {
  return fetch(`${url}/v1/sql`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/plain', ...(key === null ? {} : { 'X-API-Key': key }), ...headers },
    body,
  });
}
