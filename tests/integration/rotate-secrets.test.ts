import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { assertSecretsMatchKeys } from '@/lib/startup';
import { rotateKeySecrets } from '@/lib/data/rotate-secrets';
import { tokenFor } from './api-client';
import { currentKeys, newApp, newUser } from './fixtures';
import { checkKey } from './key-check';
import { decryptSecret, totpSecretContext } from '@/lib/shared/keys/crypto';
import { beginEnrollment } from '@/lib/auth/two-factor';
import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import { decryptSigningSecret } from '@/lib/webhooks/secret';

it('re-keys every stored key to new secrets: the same keys verify under the new secrets only', async () => {
  const { user, org } = await newUser('Rey');
  const app = await newApp(user, org.name, 'rekey-app');
  const keys = await currentKeys(app.id);
  await tokenFor(user, { org: org.name, scope: 'apps:read' });
  await beginEnrollment(db, user.id);
  const endpoint = await createWebhookEndpoint({ org: org.name, url: 'https://hooks.example.com/spice', events: 'api_key.regenerated' });
  if (!endpoint.ok) throw new Error(endpoint.error);
  const current = serverEnv().keySecrets;
  const totpCiphertext = async () => (await db.twoFactor.findUniqueOrThrow({ where: { userId: user.id }, select: { ciphertext: true } })).ciphertext;
  const totpSecret = decryptSecret(await totpCiphertext(), totpSecretContext(user.id), current.encryptionKey);
  const next = { encryptionKey: randomBytes(32), digestSecret: randomBytes(32) };

  await expect(rotateKeySecrets(db, current, next, { revokeTokens: false })).rejects.toThrow(/--revoke-tokens/);
  expect(await checkKey(keys[1], current.digestSecret)).not.toBeNull();

  const result = await rotateKeySecrets(db, current, next, { revokeTokens: true });
  expect(result.keys).toBeGreaterThanOrEqual(2);
  expect(result.tokensRevoked).toBeGreaterThanOrEqual(1);
  // The authenticator app's secret moves to the new encryption key, unchanged.
  expect(result.totpSecrets).toBe(1);
  const rotated = await totpCiphertext();
  expect(decryptSecret(rotated, totpSecretContext(user.id), next.encryptionKey)).toBe(totpSecret);
  expect(() => decryptSecret(rotated, totpSecretContext(user.id), current.encryptionKey)).toThrow();
  // So is each webhook endpoint's signing secret: receivers keep verifying with the same one.
  expect(result.webhookSecrets).toBe(1);
  const { secretCiphertext } = await db.webhookEndpoint.findUniqueOrThrow({ where: { id: endpoint.data.id }, select: { secretCiphertext: true } });
  expect(decryptSigningSecret(secretCiphertext, endpoint.data.id, next.encryptionKey)).toBe(endpoint.data.secret);
  expect(() => decryptSigningSecret(secretCiphertext, endpoint.data.id, current.encryptionKey)).toThrow();
  expect(await checkKey(keys[1], next.digestSecret)).toMatchObject({ appId: app.id, slot: 1 });
  expect(await checkKey(keys[2], next.digestSecret)).toMatchObject({ appId: app.id, slot: 2 });
  expect(await checkKey(keys[1], current.digestSecret)).toBeNull();
  await expect(assertSecretsMatchKeys(db, next)).resolves.toBeUndefined();
  await expect(assertSecretsMatchKeys(db, current)).rejects.toThrow(/KEY_ENCRYPTION_KEY does not match/);
  expect(await db.personalAccessToken.count({ where: { revokedAt: null } })).toBe(0);

  // Back, so the other checks in this file's database keep the environment's secrets.
  await rotateKeySecrets(db, next, current, { revokeTokens: false });
  expect(await checkKey(keys[1], current.digestSecret)).not.toBeNull();
});
