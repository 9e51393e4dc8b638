import { randomBytes } from 'node:crypto';
import { expect, it } from 'vitest';
import { db } from '@/lib/db';
import { serverEnv } from '@/lib/env';
import { assertSecretsMatchKeys } from '@/lib/startup';
import { rotateKeySecrets } from '@/lib/data/rotate-secrets';
import { api, tokenFor } from './api-client';
import { currentKeys, newApp, newUser } from './fixtures';
import { checkKey } from './key-check';
import { decryptSecret, idempotencyContext, totpSecretContext } from '@/lib/shared/keys/crypto';
import { beginEnrollment } from '@/lib/auth/two-factor';
import { createOAuthClient } from '@/lib/actions/create-oauth-client';
import { exchangeClientCredentials } from '@/lib/tokens/oauth-clients';
import { signInAs } from './request';
import { createWebhookEndpoint } from '@/lib/actions/create-webhook-endpoint';
import { decryptSigningSecret } from '@/lib/webhooks/secret';

it('re-keys every stored key to new secrets: the same keys verify under the new secrets only', async () => {
  const { user, org } = await newUser('Rey');
  const app = await newApp(user, org.name, 'rekey-app');
  // A stored Idempotency-Key answer (it holds the keys, encrypted).
  const writer = await tokenFor(user, { org: org.name, scope: 'apps:write' });
  const replayed = await api.regenerate(app.id, { token: writer, headers: { 'idempotency-key': 'before-rotation' } });
  const replay = await db.idempotentRequest.findFirstOrThrow({ where: { key: 'before-rotation' }, select: { id: true, body: true } });
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
  // So does the stored answer: a retry after the rotation is still answered from it.
  expect(result.replays).toBe(1);
  const { body } = await db.idempotentRequest.findUniqueOrThrow({ where: { id: replay.id }, select: { body: true } });
  expect(JSON.parse(decryptSecret(body!, idempotencyContext(replay.id), next.encryptionKey))).toEqual(replayed.json);
  expect(() => decryptSecret(body!, idempotencyContext(replay.id), current.encryptionKey)).toThrow();
  expect(body).not.toBe(replay.body);
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

it('stops OAuth clients with a new digest secret only when told to: their access tokens go, each needs a new secret', async () => {
  const { user, org } = await newUser('Ola');
  await signInAs(user);
  const created = await createOAuthClient({ org: org.name, name: 'ci', scope: 'apps:read' });
  if (!created.ok) throw new Error(created.error);
  const current = serverEnv().keySecrets;
  const exchanged = await exchangeClientCredentials(db, current.digestSecret, created.data);
  expect(exchanged.ok).toBe(true);
  const next = { encryptionKey: current.encryptionKey, digestSecret: randomBytes(32) };

  await expect(rotateKeySecrets(db, current, next, { revokeTokens: false })).rejects.toThrow(/1 OAuth client\(s\) exist.*--revoke-tokens/);
  expect(await db.oAuthAccessToken.count()).toBe(1);
  const result = await rotateKeySecrets(db, current, next, { revokeTokens: true });
  expect(result.oauthClientsStopped).toBe(1);
  expect(await db.oAuthAccessToken.count()).toBe(0);
  // Under the new digest secret the old client secret no longer matches.
  expect(await exchangeClientCredentials(db, next.digestSecret, created.data)).toEqual({ ok: false, error: 'invalid_client' });

  await rotateKeySecrets(db, next, current, { revokeTokens: true });
});
