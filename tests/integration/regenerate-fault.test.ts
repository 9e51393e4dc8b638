// A database error during regeneration leaves the old key in place. The fault is real: the
// audit table is gone, so the transaction's second statement fails and the first rolls back.
import { expect, it } from 'vitest';
import { db } from '@/lib/db';
import { regenerateApiKey } from '@/lib/actions/regenerate-api-key';
import { currentKeys, newApp, newUser } from './fixtures';
import { checkKey } from './key-check';
import { signInAs } from './request';

it('keeps the old key and answers with a clear error when the database fails mid-regeneration', async () => {
  const { user, org } = await newUser();
  const app = await newApp(user, org.name);
  const before = await currentKeys(app.id);
  await db.$executeRawUnsafe('ALTER TABLE "AuditEvent" RENAME TO "AuditEventGone"');

  await signInAs(user);
  const result = await regenerateApiKey({ appId: app.id, slot: 1 });
  expect(result).toEqual({ ok: false, error: 'Could not regenerate API Key 1. The current key still works; try again.' });
  expect(JSON.stringify(result)).not.toMatch(/at .*\.ts|AuditEvent|prisma/i);

  await db.$executeRawUnsafe('ALTER TABLE "AuditEventGone" RENAME TO "AuditEvent"');
  expect(await currentKeys(app.id)).toEqual(before);
  expect(await checkKey(before[1])).toMatchObject({ slot: 1 });
});
