// The unknown-key cache (lib/runtime/unknown-keys.ts) on two runtimes sharing one database, the
// keys changed by the portal's code in this process, which neither runtime is told about: it never
// accepts a key regenerated elsewhere (a known key is looked up on every request) and never
// refuses a key created after a miss (only digests with no row at all are remembered, and a new
// key's row is committed before it is shown). Run on SQLite and on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '@/lib/shared/keys/format';
import { testProvider } from '../support/test-database';
import { currentKeys, newApp, newUser, regenerateAs } from './fixtures';
import { startRuntimeProcess, type RuntimeProcess } from './runtime-process';
import { sql } from './runtime-helpers';

const statusOf = async (runtime: RuntimeProcess, key: string) => (await sql(runtime.url, key, 'SELECT 1 AS one')).status;

describe(`two runtimes on one database (${testProvider})`, () => {
  let a: RuntimeProcess;
  let b: RuntimeProcess;
  beforeAll(async () => {
    // The failure limiter off: these tests present many unknown keys from one address.
    [a, b] = await Promise.all([
      startRuntimeProcess({ RUNTIME_AUTH_FAILURES_PER_MINUTE: '0' }),
      startRuntimeProcess({ RUNTIME_AUTH_FAILURES_PER_MINUTE: '0' }),
    ]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('never accepts a key regenerated on another instance, from its first request after the regeneration on', async () => {
    const { user, org } = await newUser('Cache');
    const app = await newApp(user, org.name);
    const old = (await currentKeys(app.id))[1];
    for (const runtime of [a, b]) expect(await statusOf(runtime, old)).toBe(200);

    await regenerateAs(user, app.id, [1]);
    // Refused at once on both, and still refused once each has remembered the digest as unknown.
    for (let i = 0; i < 3; i++) for (const runtime of [a, b]) expect(await statusOf(runtime, old)).toBe(401);
    const fresh = (await currentKeys(app.id))[1];
    for (const runtime of [a, b]) expect(await statusOf(runtime, fresh)).toBe(200);
    // Slot 2, untouched, works throughout.
    const other = (await currentKeys(app.id))[2];
    for (const runtime of [a, b]) expect(await statusOf(runtime, other)).toBe(200);
  });

  it('never refuses a key created after misses, even while unknown keys flood both instances', async () => {
    const { user, org } = await newUser('Fresh');
    const app = await newApp(user, org.name);
    const unknown = Array.from({ length: 20 }, () => generateApiKey());
    // Each unknown key twice on each instance: looked up once, then remembered.
    for (const key of [...unknown, ...unknown]) for (const runtime of [a, b]) expect(await statusOf(runtime, key)).toBe(401);

    // Unknown keys keep coming on both instances while the portal regenerates both slots.
    let flooding = true;
    const flood = Promise.all(
      [a, b].map(async (runtime) => {
        let sent = 0;
        while (flooding && sent < 2000) {
          expect(await statusOf(runtime, unknown[sent % unknown.length]!)).toBe(401);
          sent += 1;
        }
      }),
    );
    for (let round = 0; round < 3; round++) {
      const before = await currentKeys(app.id);
      await regenerateAs(user, app.id, [1, 2]);
      const after = await currentKeys(app.id);
      // The first request with each new key, on each instance, is accepted; the replaced keys are not.
      for (const slot of [1, 2] as const) {
        for (const runtime of [a, b]) {
          expect(await statusOf(runtime, after[slot])).toBe(200);
          expect(await statusOf(runtime, before[slot])).toBe(401);
        }
      }
    }
    // And a whole new app's keys, made after all of that.
    const later = await currentKeys((await newApp(user, org.name)).id);
    for (const runtime of [a, b]) for (const slot of [1, 2] as const) expect(await statusOf(runtime, later[slot])).toBe(200);
    flooding = false;
    await flood;
  });
});
