// npm run bench: throughput and latency of the runtime and the portal, with the production
// servers on loopback, on SQLite and on PostgreSQL side by side (PostgreSQL from
// BENCH_POSTGRES_URL, or a throwaway cluster when PostgreSQL is installed). Prints Markdown
// tables; docs/benchmark.md shows a run. Not a test: nothing here passes or fails. Last, the
// runtime's scenarios under its default limits (scripts/bench-runtime.ts), on SQLite.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Column } from './bench-run';

const root = process.cwd();

function run(command: string, args: string[], env: Record<string, string | undefined> = {}, capture = false) {
  const result = spawnSync(command, args, { env: { ...process.env, ...env }, encoding: 'utf8', stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed`);
  return result.stdout ?? '';
}

function build(env: Record<string, string | undefined>, distDir: string) {
  console.error(`Building the production portal into ${distDir}…`);
  run(process.execPath, [path.join(root, 'scripts', 'prisma-generate.mjs')], env);
  run(path.join(root, 'node_modules', '.bin', 'next'), ['build'], { ...env, NEXT_DIST_DIR: distDir });
}

function measure(env: Record<string, string | undefined>): Column {
  const out = run(path.join(root, 'node_modules', '.bin', 'tsx'), ['--conditions=react-server', path.join(root, 'scripts', 'bench-run.ts')], env, true);
  return JSON.parse(out.trim().split('\n').at(-1)!) as Column;
}

const columns: { name: string; column: Column }[] = [];
const sqliteEnv = { DATABASE_URL: undefined, NEXT_DIST_DIR: '.next', BENCH_ADMIN_URL: undefined };
if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID'))) build(sqliteEnv, '.next');
console.error('Measuring on SQLite…');
columns.push({ name: 'SQLite', column: measure(sqliteEnv) });

let cluster: string | null = null;
let adminUrl = process.env.BENCH_POSTGRES_URL;
try {
  if (!adminUrl) {
    const started = spawnSync('bash', [path.join(root, 'scripts', 'pg-throwaway.sh'), 'start'], { encoding: 'utf8' });
    if (started.status === 0) {
      const [url, dir] = started.stdout.trim().split(' ');
      adminUrl = url;
      cluster = dir!;
    } else {
      console.error('PostgreSQL is not installed: no PostgreSQL column (set BENCH_POSTGRES_URL, or install it).');
    }
  }
  if (adminUrl) {
    const pgEnv = { DATABASE_URL: adminUrl, NEXT_DIST_DIR: '.next-postgresql', BENCH_ADMIN_URL: adminUrl };
    build(pgEnv, '.next-postgresql');
    console.error('Measuring on PostgreSQL…');
    columns.push({ name: 'PostgreSQL', column: measure(pgEnv) });
  }
} finally {
  // Back to the default provider's client.
  run(process.execPath, [path.join(root, 'scripts', 'prisma-generate.mjs')], { DATABASE_URL: undefined });
  if (cluster) spawnSync('bash', [path.join(root, 'scripts', 'pg-throwaway.sh'), 'stop', cluster]);
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const names = columns.map((c) => c.name);
const rowNames = columns[0]!.column.rows.map((r) => r.name);
console.log(`\n${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}; requests/s, p50 / p99 ms\n`);
console.log(`| route | ${names.join(' | ')} |`);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} |`);
rowNames.forEach((name, i) => {
  const cells = columns.map(({ column }) => {
    const r = column.rows[i]!;
    return `${fmt(r.rps)} (${fmt(r.p50, 1)} / ${fmt(r.p99, 1)})`;
  });
  console.log(`| ${name} | ${cells.join(' | ')} |`);
});
const ratio = (column: Column, a: number, b: number) => fmt(column.rows[a]!.rps / column.rows[b]!.rps, 2);
console.log(`\n| ratio | aim | ${names.join(' | ')} |`);
console.log(`| --- | ---: | ${names.map(() => '---:').join(' | ')} |`);
console.log(`| SELECT 1 (valid key) / runtime /health | | ${columns.map(({ column }) => ratio(column, 1, 0)).join(' | ')} |`);
console.log(`| unknown key 401 / runtime /health | ≥ 0.8 | ${columns.map(({ column }) => ratio(column, 2, 0)).join(' | ')} |`);
console.log(`| malformed key 401 / runtime /health | ≥ 0.9 | ${columns.map(({ column }) => ratio(column, 3, 0)).join(' | ')} |`);
console.log(`| SELECT 1 (valid key) / portal cheapest route | ≥ 5 | ${columns.map(({ column }) => ratio(column, 1, 4)).join(' | ')} |`);
console.log(`\n| in-process key check (authenticateKey), operations/s | ${names.join(' | ')} |`);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} |`);
for (const [kind, name] of [
  ['valid', 'valid key'],
  ['unknown', 'unknown key (looked up)'],
  ['unknownRemembered', 'unknown key again (remembered: no lookup)'],
  ['malformed', 'malformed key'],
] as const) {
  console.log(`| ${name} | ${columns.map(({ column }) => fmt(column.verify[kind])).join(' | ')} |`);
}

console.log(`\n| attack query (one valid key, default limits): status, seconds | ${names.join(' | ')} |`);
console.log(`| --- | ${names.map(() => '---:').join(' | ')} |`);
columns[0]!.column.attacks.forEach((attack, i) => {
  console.log(`| ${attack.name} | ${columns.map(({ column }) => `${column.attacks[i]!.status}, ${fmt(column.attacks[i]!.seconds, 1)} s`).join(' | ')} |`);
});
console.log(
  `| peak RSS of the runtime's serving process through the attacks | ${columns.map(({ column }) => `${fmt(column.peakRss / 1024 ** 2)} MiB`).join(' | ')} |`,
);

// Arrow Flight against HTTP JSON and the bare DuckDB read (one process; no database needed).
console.error('Measuring Flight, HTTP JSON and the bare DuckDB read…');
console.log('\nLarge results through each door (best of 3; client and servers in one process):\n');
console.log(run(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'bench-flight.ts')], {}, true).trim());

// Last, the runtime under its default limits: one app alone against raised limits, three
// organizations saturating it while a fourth queries, a memory bomb and a killed engine worker
// (scripts/bench-runtime.ts; on a fresh SQLite file, with the default provider's client).
console.error('Measuring the runtime: one app alone, saturation by three organizations, a memory bomb, a killed worker…');
console.log(
  run(
    path.join(root, 'node_modules', '.bin', 'tsx'),
    ['--conditions=react-server', path.join(root, 'scripts', 'bench-runtime.ts')],
    { DATABASE_URL: undefined, BENCH_ADMIN_URL: undefined },
    true,
  ).trim(),
);
