// The server refuses to start when the secrets do not match the stored keys, and never re-keys.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { testProvider } from '../support/test-database';
import { newApp, newUser } from './fixtures';

const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

/** Runs the start-up checks (what `npm start` does before building) in a fresh process. */
async function prepare(env: Record<string, string | undefined>) {
  const childEnv: NodeJS.ProcessEnv = { NODE_ENV: 'test', PATH: process.env.PATH, HOME: process.env.HOME };
  for (const [name, value] of Object.entries(env)) if (value !== undefined) childEnv[name] = value;
  try {
    const { stdout } = await run(tsx, ['scripts/migrate.ts'], { env: childEnv, cwd: process.cwd() });
    return { ok: true, output: stdout };
  } catch (error) {
    const failure = error as { stderr?: string; stdout?: string };
    return { ok: false, output: `${failure.stdout ?? ''}${failure.stderr ?? ''}` };
  }
}

describe('start-up', () => {
  it.skipIf(testProvider !== 'sqlite')('generates the secrets file once, with 0600 permissions, on a fresh embedded database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-start-'));
    const databaseUrl = `file:${path.join(dir, 'portal.db')}`;
    expect((await prepare({ DATABASE_URL: databaseUrl })).output).toContain('The database is ready.');
    const file = path.join(dir, 'secrets.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const first = fs.readFileSync(file, 'utf8');
    expect(Object.keys(JSON.parse(first))).toEqual(['KEY_ENCRYPTION_KEY', 'KEY_DIGEST_SECRET', 'NEXTAUTH_SECRET']);
    expect((await prepare({ DATABASE_URL: databaseUrl })).ok).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).toBe(first);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(testProvider !== 'sqlite')('leaves the data folder to its owner: folders 0700, database, secrets and runtime files 0600', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-modes-'));
    const data = path.join(dir, 'data');
    // What an earlier version left behind: a readable runtime folder and app database.
    fs.mkdirSync(path.join(data, 'runtime'), { recursive: true, mode: 0o755 });
    fs.writeFileSync(path.join(data, 'runtime', 'app-1.duckdb'), '', { mode: 0o644 });
    fs.chmodSync(data, 0o755);
    const env = { DATABASE_URL: `file:${path.join(data, 'portal.db')}`, RUNTIME_DATA_DIR: path.join(data, 'runtime') };
    expect((await prepare(env)).ok).toBe(true);
    const mode = (file: string) => fs.statSync(path.join(data, file)).mode & 0o777;
    expect(mode('.')).toBe(0o700);
    expect(mode('runtime')).toBe(0o700);
    for (const file of fs.readdirSync(data).filter((name) => name !== 'runtime')) expect([file, mode(file)]).toEqual([file, 0o600]);
    expect(fs.readdirSync(data)).toEqual(expect.arrayContaining(['portal.db', 'secrets.json']));
    expect(mode('runtime/app-1.duckdb')).toBe(0o600);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong encryption key or digest secret, naming it, while keys exist', async () => {
    const { user, org } = await newUser();
    await newApp(user, org.name);
    const right = {
      DATABASE_URL: process.env.DATABASE_URL,
      KEY_ENCRYPTION_KEY: process.env.KEY_ENCRYPTION_KEY,
      KEY_DIGEST_SECRET: process.env.KEY_DIGEST_SECRET,
      NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET,
    };
    expect((await prepare(right)).ok).toBe(true);

    const wrongKey = await prepare({ ...right, KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    expect(wrongKey.ok).toBe(false);
    expect(wrongKey.output).toContain('KEY_ENCRYPTION_KEY does not match the API keys stored in the database');

    const wrongDigest = await prepare({ ...right, KEY_DIGEST_SECRET: randomBytes(32).toString('base64') });
    expect(wrongDigest.ok).toBe(false);
    expect(wrongDigest.output).toContain('KEY_DIGEST_SECRET does not match');

    const malformed = await prepare({ ...right, KEY_ENCRYPTION_KEY: 'c2hvcnQ=' });
    expect(malformed.ok).toBe(false);
    expect(malformed.output).toContain('KEY_ENCRYPTION_KEY: must be 32 bytes, base64-encoded');
  });

  it('refuses to generate new secrets over a database that already holds keys', async () => {
    const { user, org } = await newUser();
    await newApp(user, org.name);
    // The test database's secrets live in the environment, not in a file: without them, start-up
    // must not invent new ones.
    const missing = await prepare({ DATABASE_URL: process.env.DATABASE_URL });
    expect(missing.ok).toBe(false);
    if (testProvider === 'sqlite') {
      expect(missing.output).toContain('Restore the secrets the keys were made with');
      expect(fs.existsSync(path.join(path.dirname(process.env.DATABASE_URL!.slice(5)), 'secrets.json'))).toBe(false);
    } else {
      // On PostgreSQL the secrets always come from the environment.
      expect(missing.output).toContain('KEY_ENCRYPTION_KEY: is not set');
    }
  });
});
