// npm start: generate the database client, migrate, prepare secrets, build, then serve the
// portal (PORT, default 3000) and the runtime server (RUNTIME_PORT, default 8090) under a
// supervisor: a server that crashes is logged (which one, and why) and restarted with backoff,
// while the other keeps serving. Ctrl+C or SIGTERM stops both. `--skip-build` serves the existing
// build with the client as it is; `--dev` runs the portal's development server; `--runtime-only`
// (npm run runtime) supervises the runtime alone, for deployments that run the planes apart.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { runtimeThreadPoolSize } from '../lib/runtime/config';

const args = new Set(process.argv.slice(2));
const dev = args.has('--dev');
const runtimeOnly = args.has('--runtime-only');
const root = process.cwd();
const bin = (name: string) => path.join(root, 'node_modules', '.bin', name);

process.env.NEXT_TELEMETRY_DISABLED = '1';
// Everything the servers create (data/: databases, secrets, the runtime's files) is the owner's
// alone: files 0600, folders 0700. Both servers inherit the mask.
process.umask(0o077);
const port = process.env.PORT ?? '3000';

function run(command: string, commandArgs: string[]): void {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (!runtimeOnly) {
  // The client for the provider of DATABASE_URL, before anything loads it.
  if (!args.has('--skip-build')) run(process.execPath, [path.join(root, 'scripts', 'prisma-generate.mjs'), '--if-needed']);

  try {
    const { prepareServer } = await import('../lib/startup');
    await prepareServer();
  } catch (error) {
    console.error(`\nCannot start: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }

  // Without NEXTAUTH_URL, sign-in follows the Host the browser used among the loopback names
  // (localhost, 127.0.0.1, [::1]); the portal's server replaces any other Host with localhost:PORT.
  if (!process.env.NEXTAUTH_URL) process.env.AUTH_TRUST_HOST = 'true';

  if (!dev && !args.has('--skip-build')) run(bin('next'), ['build']);
}

/** Restart delays: 1 s, 2 s, 4 s … up to 30 s; back to 1 s after a minute of running. */
const BACKOFF_MS = [1000, 2000, 4000, 8000, 16_000, 30_000];
const HEALTHY_AFTER_MS = 60_000;
/** A server that stops this many times in a row within seconds of starting is misconfigured. */
const FAILED_STARTS = 5;
const QUICK_EXIT_MS = 10_000;

type Server = {
  name: 'portal' | 'runtime';
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  child?: ChildProcess;
  startedAt: number;
  failures: number;
  quickExits: number;
  /** It once ran past QUICK_EXIT_MS: later crashes are not misconfiguration, and it is never given up on. */
  servedOnce?: boolean;
  restart?: NodeJS.Timeout;
};

const servers: Server[] = [];
if (!runtimeOnly) {
  servers.push({
    name: 'portal',
    // Next.js behind our own server, which hands it the client address (scripts/portal-server.mjs).
    command: process.execPath,
    args: [path.join(root, 'scripts', 'portal-server.mjs'), ...(dev ? ['--dev'] : [])],
    env: { ...process.env, PORT: port, NODE_ENV: dev ? 'development' : 'production' },
    startedAt: 0,
    failures: 0,
    quickExits: 0,
  });
}
servers.push({
  name: 'runtime',
  // One process (no tsx launcher in between), so the pid we watch is the server itself.
  command: process.execPath,
  args: ['--import', 'tsx', path.join(root, 'lib', 'runtime', 'main.ts')],
  // Every DuckDB call holds a thread of libuv's pool while it runs: size it above the runtime's
  // own query limit so cheap requests never wait behind heavy ones. Read at process start only.
  env: { ...process.env, UV_THREADPOOL_SIZE: process.env.UV_THREADPOOL_SIZE ?? String(runtimeThreadPoolSize()) },
  startedAt: 0,
  failures: 0,
  quickExits: 0,
});

let stopping = false;

function log(message: string): void {
  console.log(`[start] ${message}`);
}

function launch(server: Server): void {
  server.startedAt = Date.now();
  const child = spawn(server.command, server.args, { stdio: 'inherit', env: server.env });
  server.child = child;
  log(`${server.name} started (pid ${child.pid})`);
  child.on('exit', (code, signal) => {
    server.child = undefined;
    if (stopping) {
      if (servers.every((s) => !s.child)) process.exit(exitCode);
      return;
    }
    const ranMs = Date.now() - server.startedAt;
    if (ranMs >= HEALTHY_AFTER_MS) server.failures = 0;
    if (ranMs >= QUICK_EXIT_MS) server.servedOnce = true;
    server.quickExits = ranMs < QUICK_EXIT_MS ? server.quickExits + 1 : 0;
    const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
    if (server.quickExits >= FAILED_STARTS && !server.servedOnce) {
      // Only that server is given up on: the other keeps serving (a runtime that keeps crashing
      // never takes the portal down). With nothing left running, npm start ends.
      const others = servers.filter((s) => s !== server && s.child);
      log(`${server.name} ${why} ${server.quickExits} times in a row right after starting; giving up on it. Check its messages above.`);
      if (others.length === 0) stopAll('SIGTERM', 1);
      else log(`${others.map((s) => s.name).join(', ')} still serving.`);
      return;
    }
    const delay = BACKOFF_MS[Math.min(server.failures, BACKOFF_MS.length - 1)]!;
    server.failures += 1;
    const others = servers.filter((s) => s !== server && s.child).map((s) => s.name);
    log(
      `${server.name} ${why} after ${Math.round(ranMs / 1000)} s; restarting it in ${delay / 1000} s${others.length ? ` (${others.join(', ')} still serving)` : ''}`,
    );
    server.restart = setTimeout(() => {
      server.restart = undefined;
      if (!stopping) launch(server);
    }, delay);
  });
}

let exitCode = 0;
function stopAll(signal: NodeJS.Signals, code = 0): void {
  if (stopping) return;
  stopping = true;
  exitCode = code;
  for (const server of servers) {
    if (server.restart) clearTimeout(server.restart);
    server.child?.kill(signal);
  }
  if (servers.every((s) => !s.child)) process.exit(exitCode);
  // A server that does not stop within 10 s is killed.
  setTimeout(() => {
    for (const server of servers) server.child?.kill('SIGKILL');
    process.exit(exitCode);
  }, 10_000).unref();
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(signal));
for (const server of servers) launch(server);
