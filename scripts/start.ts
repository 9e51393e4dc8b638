// npm start: generate the database client, migrate, prepare secrets, build, then serve the
// portal (PORT, default 3000) and the runtime server (RUNTIME_PORT, default 8090) together.
// When either stops, both stop. `--skip-build` serves the existing build with the client as it
// is; `--dev` runs the portal's development server.
import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';

const args = new Set(process.argv.slice(2));
const dev = args.has('--dev');
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

const children = [
  // The portal: Next.js behind our own server, which hands it the client address (scripts/portal-server.mjs).
  spawn(process.execPath, [path.join(root, 'scripts', 'portal-server.mjs'), ...(dev ? ['--dev'] : [])], {
    stdio: 'inherit',
    env: { ...process.env, PORT: port, NODE_ENV: dev ? 'development' : 'production' },
  }),
  spawn(bin('tsx'), [path.join(root, 'lib', 'runtime', 'main.ts')], { stdio: 'inherit', env: process.env }),
];
let stopping = false;
function stopAll(signal: NodeJS.Signals) {
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => stopAll(signal));
let exitCode = 0;
for (const child of children) {
  child.on('exit', (code, signal) => {
    if (!stopping) {
      // One server stopped on its own: stop the other too, and report the failure.
      exitCode = code ?? (signal ? 1 : 0);
      stopAll('SIGTERM');
    }
    if (children.every((c) => c.exitCode !== null || c.signalCode !== null)) process.exit(exitCode);
  });
}
