// The runtime starts on its own (npm run runtime, or the planes on different machines) with only
// the database URL and the two key secrets, and refuses to start, naming the problem, when they
// do not fit the database.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testProvider } from '../support/test-database';
import { currentKeys, newApp, newUser } from './fixtures';
import { runtimeExit, runtimeOnlyEnv, startRuntimeProcess } from './runtime-process';

let keys: { 1: string; 2: string };
beforeAll(async () => {
  const { user, org } = await newUser('Stan');
  keys = await currentKeys((await newApp(user, org.name, 'standalone')).id);
});

describe('the runtime on its own', () => {
  it('serves keys with only DATABASE_URL and the two key secrets (no NEXTAUTH_SECRET)', async () => {
    const runtime = await startRuntimeProcess();
    try {
      const res = await fetch(`${runtime.url}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': keys[2] }, body: 'SELECT 1 AS one' });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual([{ one: 1 }]);
    } finally {
      await runtime.stop();
    }
  });

  it.each(['KEY_ENCRYPTION_KEY', 'KEY_DIGEST_SECRET'] as const)('refuses to start with a wrong %s, and names it', async (name) => {
    const { code, output } = await runtimeExit({ ...runtimeOnlyEnv(), [name]: randomBytes(32).toString('base64') });
    expect(code).toBe(1);
    expect(output).toContain(`${name} does not match the API keys stored in the database`);
    expect(output).not.toContain(process.env[name]!);
  });

  it('names a missing secret', async () => {
    const env: Record<string, string> = { ...runtimeOnlyEnv() };
    delete env.KEY_DIGEST_SECRET;
    const { code, output } = await runtimeExit(env);
    expect(code).toBe(1);
    expect(output).toMatch(/KEY_DIGEST_SECRET: is not set/);
  });

  describe('on a database that is not migrated', () => {
    let empty: Awaited<ReturnType<typeof createTestDatabase>>;
    beforeAll(async () => {
      empty = await createTestDatabase('unmigrated');
    });
    afterAll(() => empty.drop());

    it('says to run the migrations', async () => {
      if (testProvider === 'sqlite') fs.writeFileSync(empty.url.slice('file:'.length), '');
      const { code, output } = await runtimeExit({ ...runtimeOnlyEnv(), DATABASE_URL: empty.url });
      expect(code).toBe(1);
      expect(output).toContain('Run `npm run migrate`');
    });
  });

  it.runIf(testProvider === 'sqlite')('reads the secrets from data/secrets.json beside the embedded database', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runtime-embedded-'));
    try {
      const file = path.join(dir, 'portal.db');
      const source = process.env.DATABASE_URL!.slice('file:'.length);
      for (const suffix of ['', '-wal']) if (fs.existsSync(source + suffix)) fs.copyFileSync(source + suffix, file + suffix);
      const env = runtimeOnlyEnv();
      fs.writeFileSync(
        path.join(dir, 'secrets.json'),
        JSON.stringify({ KEY_ENCRYPTION_KEY: env.KEY_ENCRYPTION_KEY, KEY_DIGEST_SECRET: env.KEY_DIGEST_SECRET }),
      );
      const runtime = await startRuntimeProcess({ DATABASE_URL: `file:${file}`, KEY_ENCRYPTION_KEY: '', KEY_DIGEST_SECRET: '' });
      try {
        const res = await fetch(`${runtime.url}/v1/sql`, { method: 'POST', headers: { 'X-API-Key': keys[1] }, body: 'SELECT 2 AS two' });
        expect(await res.json()).toEqual([{ two: 2 }]);
      } finally {
        await runtime.stop();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
