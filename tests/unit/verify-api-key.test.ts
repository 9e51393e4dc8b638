// Malformed keys and bad checksums are rejected before any database access: the client here
// points at a database that cannot be opened, so any query would throw.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyApiKey } from '@/lib/keys/api-keys';
import { generateApiKey } from '@/lib/keys/format';
import { createPrismaClient } from '@/lib/prisma';

const unreachable = createPrismaClient('file:/nonexistent-dir/for-sure/portal.db');
const secrets = { encryptionKey: randomBytes(32), digestSecret: randomBytes(32) };

describe('verifyApiKey without a database', () => {
  it('really cannot reach the database (so the checks below prove no access)', async () => {
    await expect(verifyApiKey(unreachable, secrets, generateApiKey())).rejects.toThrow();
  });

  it('rejects malformed keys and bad checksums without touching the database', async () => {
    const good = generateApiKey();
    const badChecksum = good.slice(0, -1) + (good.endsWith('A') ? 'B' : 'A');
    for (const presented of ['', 'Bearer x', 'spk_short', badChecksum, good.slice(1), `${good} `, 'x'.repeat(10_000)]) {
      expect(await verifyApiKey(unreachable, secrets, presented)).toBeNull();
    }
    expect(await verifyApiKey(unreachable, secrets, undefined as unknown as string)).toBeNull();
  });
});
