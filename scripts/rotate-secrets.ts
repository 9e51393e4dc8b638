// npm run rotate-secrets: re-keys the stored app keys to new secrets.
//   NEW_KEY_ENCRYPTION_KEY=… NEW_KEY_DIGEST_SECRET=… npm run rotate-secrets [-- --revoke-tokens]
// Either new value may be left out to keep the current one. Stop every instance first; start
// them again with the new values. On the embedded database, data/secrets.json is updated here.
import fs from 'node:fs';
import { z } from 'zod';
import { databaseProvider, sqliteFile } from '../lib/shared/database-url';
import { serverEnv } from '../lib/env';
import { base64Secret } from '../lib/shared/config';
import { rotateKeySecrets } from '../lib/data/rotate-secrets';
import { createPrismaClient } from '../lib/prisma';
import { readSecretsFile, secretsFileFor } from '../lib/shared/secrets';

try {
  const parsed = z
    .object({ NEW_KEY_ENCRYPTION_KEY: base64Secret(32, true).optional(), NEW_KEY_DIGEST_SECRET: base64Secret(32, false).optional() })
    .safeParse(process.env);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  const env = serverEnv();
  const next = {
    encryptionKey: parsed.data.NEW_KEY_ENCRYPTION_KEY ?? env.keySecrets.encryptionKey,
    digestSecret: parsed.data.NEW_KEY_DIGEST_SECRET ?? env.keySecrets.digestSecret,
  };
  if (!parsed.data.NEW_KEY_ENCRYPTION_KEY && !parsed.data.NEW_KEY_DIGEST_SECRET) {
    throw new Error('Set NEW_KEY_ENCRYPTION_KEY and/or NEW_KEY_DIGEST_SECRET (for example: openssl rand -base64 32).');
  }
  const db = createPrismaClient(env.databaseUrl);
  const result = await rotateKeySecrets(db, env.keySecrets, next, { revokeTokens: process.argv.includes('--revoke-tokens') });
  await db.$disconnect();
  console.log(
    `Re-keyed ${result.keys} API key(s), ${result.totpSecrets} authenticator app secret(s) and ${result.webhookSecrets} webhook signing secret(s); revoked ${result.tokensRevoked} personal access token(s); re-encrypted ${result.replays} stored Idempotency-Key answer(s).`,
  );
  if (result.oauthClientsStopped > 0) {
    console.log(`${result.oauthClientsStopped} OAuth client(s) need a new secret: Regenerate secret on Organization → Settings → OAuth clients.`);
  }

  const file = databaseProvider(env.databaseUrl) === 'sqlite' ? secretsFileFor(sqliteFile(env.databaseUrl)) : null;
  const stored = file ? readSecretsFile(file) : null;
  if (file && stored && !process.env.KEY_ENCRYPTION_KEY && !process.env.KEY_DIGEST_SECRET) {
    const updated = { ...stored, KEY_ENCRYPTION_KEY: next.encryptionKey.toString('base64'), KEY_DIGEST_SECRET: next.digestSecret.toString('base64') };
    fs.writeFileSync(`${file}.new`, `${JSON.stringify(updated, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(`${file}.new`, file);
    console.log(`Updated ${file}.`);
  } else {
    console.log('Now set KEY_ENCRYPTION_KEY and KEY_DIGEST_SECRET to the new values on every instance, and start them.');
  }
} catch (error) {
  console.error(`\nCannot rotate the secrets: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
