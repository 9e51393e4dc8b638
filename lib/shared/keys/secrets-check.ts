import type { KeySecrets } from '../config';
import { decryptSecret } from './crypto';
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

/**
 * The server's secrets do not open the stored keys (a missing, wrong or rotated secret): it names
 * the wrong one and does not start. The portal and the runtime refuse with this same error.
 */
export class SecretsMismatchError extends Error {
  constructor(readonly secret: KeySecretName) {
    super(
      `${secret} does not match the API keys stored in the database. Give every server the secret the keys were ` +
        `made with (the environment, or data/secrets.json on the embedded database). ` +
        `The server will not start, and it never re-keys stored keys on its own.`,
    );
    this.name = 'SecretsMismatchError';
  }
}

/** Throws SecretsMismatchError unless both secrets open the stored key; a database without keys passes. */
export function assertSecretsOpen(stored: { id: string; ciphertext: string; digest: string } | null, secrets: KeySecrets): void {
  const wrong = stored && mismatchedSecret(stored, secrets);
  if (wrong) throw new SecretsMismatchError(wrong);
}
