// A webhook endpoint's signing secret, as Standard Webhooks defines it: `whsec_` and the base64
// of 32 random bytes. The portal must sign with it, so it is kept encrypted with the app keys'
// AES-256-GCM helper, bound to the endpoint (a ciphertext copied to another row does not open).
import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret } from '../shared/keys/crypto';

export const SIGNING_SECRET_PREFIX = 'whsec_';

export function generateSigningSecret(): string {
  return `${SIGNING_SECRET_PREFIX}${randomBytes(32).toString('base64')}`;
}

/** The associated data of an endpoint's stored secret. */
export function signingSecretContext(endpointId: string): string {
  return `webhook:${endpointId}`;
}

export function encryptSigningSecret(secret: string, endpointId: string, key: Buffer): string {
  return encryptSecret(secret, signingSecretContext(endpointId), key);
}

export function decryptSigningSecret(ciphertext: string, endpointId: string, key: Buffer): string {
  return decryptSecret(ciphertext, signingSecretContext(endpointId), key);
}
