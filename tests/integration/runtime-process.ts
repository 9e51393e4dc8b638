// The runtime as its own process, started the way npm start and npm run runtime start it
// (node --import tsx lib/runtime/main.ts), so that tests see its exit status, its messages and
// its memory as the operating system reports them.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runtimeThreadPoolSize } from '@/lib/runtime/config';

/** The environment the runtime needs: the test database and its two key secrets, nothing of the portal's. */
export function runtimeOnlyEnv(): Record<string, string> {
  return {
    DATABASE_URL: process.env.DATABASE_URL!,
    KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY!,
    KEY_DIGEST_SECRET: process.env.KEY_DIGEST_SECRET!,
  };
}

function spawnRuntime(env: Record<string, string>): ChildProcess {
  // Only PATH and HOME from this process: no NEXTAUTH_SECRET or other portal setting leaks in.
  const base = { NODE_ENV: 'production' as const, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.homedir() };
  return spawn(process.execPath, ['--import', 'tsx', path.join('lib', 'runtime', 'main.ts')], {
    env: { ...base, UV_THREADPOOL_SIZE: String(runtimeThreadPoolSize(env)), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the runtime until it exits on its own (a refused start); its status and messages. */
export async function runtimeExit(env: Record<string, string>, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  const child = spawnRuntime({ RUNTIME_HOST: '127.0.0.1', RUNTIME_PORT: '0', FLIGHT_HOST: '127.0.0.1', FLIGHT_PORT: '0', RUNTIME_METRICS_PORT: '0', ...env });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, output };
}

export type RuntimeProcess = {
  url: string;
  /** GET /metrics, on the port the runtime picked. */
  metricsUrl: string;
  pid: number;
  dataDir: string;
  output: () => string;
  /** Resident memory now, and the most the process has had resident since it started (bytes). */
  memory: () => { rss: number; peak: number };
  /** The engine workers now, by label ("0", "1", "for app 7"), from the lines the runtime prints. */
  workers: () => Map<string, number>;
  /** The same for another process (an engine worker); zeros once it is gone. */
  memoryOf: (pid: number) => { rss: number; peak: number };
  stop: () => Promise<void>;
};

/** Starts the runtime process on a free loopback port and waits until /health answers. */
export async function startRuntimeProcess(env: Record<string, string> = {}): Promise<RuntimeProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-process-'));
  // Every server (HTTP, Flight, metrics) on a port the system picks (the runtime prints the one
  // it bound) and the certificate in the test's folder: test files that run at the same time
  // never compete for a port, 50051, 9464 or the project's data/flight-tls.
  const child = spawnRuntime({
    ...runtimeOnlyEnv(),
    RUNTIME_HOST: '127.0.0.1',
    RUNTIME_PORT: '0',
    RUNTIME_DATA_DIR: dataDir,
    FLIGHT_HOST: '127.0.0.1',
    FLIGHT_PORT: '0',
    FLIGHT_TLS_DIR: path.join(dataDir, 'flight-tls'),
    RUNTIME_METRICS_PORT: '0',
    ...env,
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const until = Date.now() + 30_000;
  let url = '';
  let metricsUrl = '';
  for (;;) {
    const bound = /Runtime listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
    if (bound) url = bound[1]!;
    metricsUrl = /Metrics listening on (http:\/\/[^\s"]+)/.exec(output)?.[1] ?? '';
    if (
      url &&
      metricsUrl &&
      (await fetch(`${url}/health`).then(
        (r) => r.ok,
        () => false,
      ))
    )
      break;
    if (child.exitCode !== null || Date.now() > until) {
      child.kill('SIGKILL');
      throw new Error(`The runtime did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const status = (field: string, pid = child.pid) => {
    let text = '';
    try {
      text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    } catch {
      // Gone.
    }
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return Number(match?.[1] ?? 0) * 1024;
  };
  return {
    url,
    metricsUrl,
    pid: child.pid!,
    dataDir,
    output: () => output,
    memory: () => ({ rss: status('VmRSS'), peak: status('VmHWM') }),
    workers: () => new Map([...output.matchAll(/engine worker (.+?) ready \(pid (\d+)\)/g)].map((m) => [m[1]!, Number(m[2])])),
    memoryOf: (pid) => ({ rss: status('VmRSS', pid), peak: status('VmHWM', pid) }),
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
