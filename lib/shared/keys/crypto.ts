import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Encrypts a key with AES-256-GCM. `context` (the key row's id) is bound as associated data,
 * so a ciphertext copied to another row does not decrypt.
 */
export function encryptSecret(plaintext: string, context: string, key: Buffer): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** Decrypts what encryptSecret made. Throws on a wrong key, wrong context or tampering. */
export function decryptSecret(ciphertext: string, context: string, key: Buffer): string {
  const [version, payload] = ciphertext.split('.', 2);
  if (version !== VERSION || !payload) throw new Error('Unknown ciphertext format');
  const raw = Buffer.from(payload, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
}

/** The associated data of a user's stored TOTP secret (lib/auth/two-factor.ts), as a key's is its row id. */
export function totpSecretContext(userId: string): string {
  return `totp:${userId}`;
}

/** The associated data of a stored Idempotency-Key answer's body (lib/api/idempotency.ts). */
export function idempotencyContext(id: string): string {
  return `idempotency:${id}`;
}
