// Checks a key the way the runtime does on every request (the production path): the lookup
// digest, the real key store on the test database, and a constant-time compare.
import { afterAll } from 'vitest';
import { serverEnv } from '@/lib/env';
import { authenticateKey, openKeyStore, type KeyStore } from '@/lib/runtime/key-store';

let store: KeyStore | undefined;
afterAll(async () => {
  await store?.close();
  store = undefined;
});

/** The app and slot the key opens right now, or null. `digestSecret` defaults to the environment's. */
export async function checkKey(key: string, digestSecret: Buffer = serverEnv().keySecrets.digestSecret) {
  store ??= openKeyStore(process.env.DATABASE_URL!);
  const row = await authenticateKey(key, store, digestSecret);
  return row ? { appId: row.appId, slot: row.slot } : null;
}
