import { decryptSecret, type KeySecrets } from './crypto';
import { digestSecret, digestsEqual } from './digest';

export type KeySecretName = 'KEY_ENCRYPTION_KEY' | 'KEY_DIGEST_SECRET';

/**
 * Which secret does not open a stored key, or null when both do: the key must decrypt, and its
 * digest must match. Pure; the portal's start-up and the runtime each check one stored key with it.
 */
export function mismatchedSecret(stored: { id: string; ciphertext: string; digest: string }, secrets: KeySecrets): KeySecretName | null {
  let plaintext: string;
  try {
    plaintext = decryptSecret(stored.ciphertext, stored.id, secrets.encryptionKey);
  } catch {
    return 'KEY_ENCRYPTION_KEY';
  }
  return digestsEqual(stored.digest, digestSecret(plaintext, secrets.digestSecret)) ? null : 'KEY_DIGEST_SECRET';
}
