import { z } from 'zod';

/**
 * Pieces of configuration both planes parse the same way: the key secrets and the wording of a
 * configuration error. Each plane parses its own variables with zod at start (lib/env.ts for the
 * portal, lib/runtime/config.ts for the runtime); what both read is defined here once.
 */

/** An environment to read settings from: process.env, or a test's own. */
export type Env = Record<string, string | undefined>;

/** The two secrets behind stored keys. */
export type KeySecrets = {
  /** 32 bytes: AES-256-GCM key for the recoverable copy of each key. */
  encryptionKey: Buffer;
  /** At least 32 bytes: HMAC-SHA256 key for the lookup digest. */
  digestSecret: Buffer;
};

/** A secret given in base64: exactly, or at least, `bytes` long once decoded. */
export const base64Secret = (bytes: number, exact: boolean) =>
  z
    .string({ error: 'is not set' })
    .transform((value) => Buffer.from(value, 'base64'))
    .refine((buf) => (exact ? buf.length === bytes : buf.length >= bytes), {
      message: exact ? `must be ${bytes} bytes, base64-encoded` : `must be at least ${bytes} bytes, base64-encoded`,
    });

/** KEY_ENCRYPTION_KEY and KEY_DIGEST_SECRET, as every server that reads keys takes them. */
export const keySecretsSchema = z.object({
  KEY_ENCRYPTION_KEY: base64Secret(32, true),
  KEY_DIGEST_SECRET: base64Secret(32, false),
});

export function keySecretsFrom(parsed: z.output<typeof keySecretsSchema>): KeySecrets {
  return { encryptionKey: parsed.KEY_ENCRYPTION_KEY, digestSecret: parsed.KEY_DIGEST_SECRET };
}

/** A configuration error naming each variable that is wrong (`title`: "server", "runtime", "Flight"). */
export function configurationError(title: string, issues: readonly z.core.$ZodIssue[], advice = ''): Error {
  const problems = issues.map(
    (issue) => `  ${issue.path.join('.')}: ${issue.message === 'Invalid input: expected string, received undefined' ? 'is not set' : issue.message}`,
  );
  return new Error(`Invalid ${title} configuration:\n${problems.join('\n')}${advice ? `\n${advice}` : ''}`);
}
