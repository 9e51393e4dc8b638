import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * On the embedded default, the secrets are generated once into a file beside the SQLite
 * database (data/secrets.json, mode 0600, gitignored) and reused. Set them in the environment
 * instead for any real deployment.
 */
export const SECRET_NAMES = ['KEY_ENCRYPTION_KEY', 'KEY_DIGEST_SECRET', 'NEXTAUTH_SECRET'] as const;
export type SecretName = (typeof SECRET_NAMES)[number];
export type SecretValues = Record<SecretName, string>;

export function secretsFileFor(databaseFile: string): string {
  return path.join(path.dirname(databaseFile), 'secrets.json');
}

export function readSecretsFile(file: string): Partial<SecretValues> | null {
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SecretValues>;
}

export function generateSecrets(): SecretValues {
  return {
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    KEY_DIGEST_SECRET: randomBytes(32).toString('base64'),
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
  };
}

/** Writes a new secrets file with 0600 permissions; refuses to overwrite one. */
export function writeSecretsFile(file: string, values: SecretValues): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  fs.writeFileSync(file, `${JSON.stringify(values, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
