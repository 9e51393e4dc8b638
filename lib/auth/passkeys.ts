import 'server-only';
import { randomBytes } from 'node:crypto';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { z } from 'zod';
import type { Db } from '../prisma';
import { PASSKEY_MESSAGES } from './messages';

/**
 * Passkeys (WebAuthn) with @simplewebauthn/server: adding one, signing in with one instead of a
 * password, and checking one for a given user (a second factor after the password, or step-up).
 *
 * Every ceremony starts with a challenge the server stores (PasskeyChallenge): 32 random bytes,
 * valid for CHALLENGE_TTL_MS, for one purpose (and one user, except a passkey sign-in's), and
 * deleted by the first answer that names it, right or wrong: an answer to an expired, used or
 * foreign challenge is refused. The relying party follows NEXTAUTH_URL (relyingParty below), and
 * an answer made for another origin or RP id is refused.
 */

/** How long a challenge may be answered. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export const RP_NAME = 'Spice Portal';

export type PasskeyPurpose = 'register' | 'sign_in' | 'verify';

/** A refused passkey ceremony; its message is one of PASSKEY_MESSAGES, safe to show. */
export class PasskeyError extends Error {
  constructor(readonly reason: keyof typeof PASSKEY_MESSAGES) {
    super(PASSKEY_MESSAGES[reason]);
    this.name = 'PasskeyError';
  }
}

export type RelyingParty = { id: string; origin: string };

const LOOPBACK_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

/**
 * The relying party a request's passkeys belong to: NEXTAUTH_URL's host name and origin when it
 * is set; on the embedded default (no NEXTAUTH_URL), the request's own Host when it is a loopback
 * one (localhost, 127.0.0.1, [::1]), over http. Anything else: null (refused).
 */
export function relyingParty(host: string | null | undefined, env: Record<string, string | undefined> = process.env): RelyingParty | null {
  if (env.NEXTAUTH_URL) {
    const url = new URL(env.NEXTAUTH_URL);
    return { id: url.hostname.replace(/^\[|\]$/g, ''), origin: url.origin };
  }
  if (!host || !LOOPBACK_HOST.test(host)) return null;
  const url = new URL(`http://${host}`);
  return { id: url.hostname.replace(/^\[|\]$/g, ''), origin: url.origin };
}

function requireRelyingParty(host: string | null | undefined): RelyingParty {
  const rp = relyingParty(host);
  if (!rp) throw new PasskeyError('origin');
  return rp;
}

// What a browser sends back (@simplewebauthn/browser's JSON), bounded; the library checks the rest.
const b64url = (max: number) =>
  z
    .string()
    .max(max)
    .regex(/^[A-Za-z0-9_-]*={0,2}$/);
const TRANSPORTS = ['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'] as const;
const credentialBase = {
  id: b64url(1400).min(1),
  rawId: b64url(1400).min(1),
  type: z.literal('public-key'),
  authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
  clientExtensionResults: z.object({}).default({}),
};

export const registrationResponseSchema = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(16_384),
    authenticatorData: b64url(8192).optional(),
    transports: z.array(z.enum(TRANSPORTS)).max(10).optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(4096).optional(),
  }),
}) satisfies z.ZodType<RegistrationResponseJSON>;

export const authenticationResponseSchema = z.object({
  ...credentialBase,
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(8192),
    signature: b64url(2048),
    userHandle: b64url(512).optional(),
  }),
}) satisfies z.ZodType<AuthenticationResponseJSON>;

/** A browser's answer as an action's input (an object); the message of a malformed one is the passkey wording. */
export const passkeyAnswerSchema = z.custom<AuthenticationResponseJSON>(
  (value) => authenticationResponseSchema.safeParse(value).success,
  PASSKEY_MESSAGES.failed,
);

/** Parses a browser's answer sent as JSON text (next-auth's credentials are strings). */
export function parseAuthenticationResponse(json: unknown): AuthenticationResponseJSON {
  try {
    const parsed = authenticationResponseSchema.safeParse(typeof json === 'string' ? JSON.parse(json) : json);
    if (parsed.success) return parsed.data;
  } catch {
    // not JSON
  }
  throw new PasskeyError('failed');
}

/** The challenge a browser answered, read from its clientDataJSON; null when unreadable. */
function answeredChallenge(clientDataJSON: string): string | null {
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (data as { challenge?: unknown })?.challenge;
    return typeof challenge === 'string' && challenge.length > 0 && challenge.length <= 128 ? challenge : null;
  } catch {
    return null;
  }
}

async function storeChallenge(db: Db, challenge: string, purpose: PasskeyPurpose, userId: string | null, now: Date): Promise<void> {
  // Expired challenges go as new ones come.
  await db.passkeyChallenge.deleteMany({ where: { expiresAt: { lte: now } } });
  await db.passkeyChallenge.create({ data: { challenge, purpose, userId, expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS) } });
}

/**
 * Takes the challenge an answer names, once: deleted if it is current and was made for this
 * purpose and user; refused otherwise. Two answers to one challenge: only one takes it.
 */
async function takeChallenge(db: Db, clientDataJSON: string, purpose: PasskeyPurpose, userId: string | null, now: Date): Promise<string> {
  const challenge = answeredChallenge(clientDataJSON);
  if (!challenge) throw new PasskeyError('failed');
  const { count } = await db.passkeyChallenge.deleteMany({ where: { challenge, purpose, userId, expiresAt: { gt: now } } });
  if (count !== 1) throw new PasskeyError('expired');
  return challenge;
}

const freshChallenge = () => new Uint8Array(randomBytes(32));
/** The WebAuthn user handle: the user's id (no e-mail or name in it). */
const userHandle = (userId: string) => new TextEncoder().encode(userId);
const transportsOf = (value: string) => value.split(' ').filter(Boolean);

/** Whether the user has at least one passkey. */
export async function userHasPasskey(db: Db, userId: string): Promise<boolean> {
  return (await db.passkey.count({ where: { userId } })) > 0;
}

/**
 * Starts adding a passkey for the user: the options for the browser's
 * navigator.credentials.create (@simplewebauthn/browser's startRegistration). A discoverable
 * credential (it can sign in without an e-mail), user verification preferred; the user's
 * current passkeys are excluded, so one authenticator is added once.
 */
export async function beginPasskeyRegistration(
  db: Db,
  user: { id: string; name: string; email: string },
  host: string | null | undefined,
  now = new Date(),
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = requireRelyingParty(host);
  const existing = await db.passkey.findMany({ where: { userId: user.id }, select: { credentialId: true, transports: true } });
  const options = await generateRegistrationOptions({
    rpName: RP_NAME,
    rpID: rp.id,
    userName: user.email,
    userDisplayName: user.name,
    userID: userHandle(user.id),
    challenge: freshChallenge(),
    timeout: CHALLENGE_TTL_MS,
    attestationType: 'none',
    excludeCredentials: existing.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey.transports) })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  await storeChallenge(db, options.challenge, 'register', user.id, now);
  return options;
}

/** A verified new passkey, ready to store. */
export type NewPasskey = { credentialId: string; publicKey: string; counter: bigint; transports: string };

/**
 * Verifies the browser's answer to the user's registration challenge (taken once): the
 * challenge, the origin and RP id, the attestation. Returns what to store; throws PasskeyError.
 */
export async function verifyPasskeyRegistration(
  db: Db,
  userId: string,
  response: RegistrationResponseJSON,
  host: string | null | undefined,
  now = new Date(),
): Promise<NewPasskey> {
  const rp = requireRelyingParty(host);
  const challenge = await takeChallenge(db, response.response.clientDataJSON, 'register', userId, now);
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      requireUserVerification: false,
    });
  } catch {
    throw new PasskeyError('failed');
  }
  if (!verified.verified) throw new PasskeyError('failed');
  const { credential } = verified.registrationInfo;
  return {
    credentialId: credential.id,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: BigInt(credential.counter),
    transports: (credential.transports ?? response.response.transports ?? []).join(' '),
  };
}

/**
 * Starts checking a passkey of this user (a second factor after the password, or step-up before a
 * sensitive action): options for @simplewebauthn/browser's startAuthentication, limited to the
 * user's passkeys. Answer with verifyPasskeyAuthentication for the same user.
 */
export async function beginPasskeyAuthentication(
  db: Db,
  userId: string,
  host: string | null | undefined,
  options: { userVerification?: 'required' | 'preferred' | 'discouraged'; now?: Date } = {},
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = requireRelyingParty(host);
  const passkeys = await db.passkey.findMany({ where: { userId }, select: { credentialId: true, transports: true } });
  const requestOptions = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: freshChallenge(),
    timeout: CHALLENGE_TTL_MS,
    userVerification: options.userVerification ?? 'preferred',
    allowCredentials: passkeys.map((passkey) => ({ id: passkey.credentialId, transports: transportsOf(passkey.transports) })),
  });
  await storeChallenge(db, requestOptions.challenge, 'verify', userId, options.now ?? new Date());
  return requestOptions;
}

/**
 * Starts a sign-in with a passkey instead of a password: no user is named (a discoverable
 * credential answers), and user verification is required: the passkey stands for both factors
 * (the device, and the fingerprint, face or PIN that unlocks it), so a security key without a PIN
 * cannot sign in alone. As a second factor after a password it is only preferred.
 */
export async function beginPasskeySignIn(db: Db, host: string | null | undefined, now = new Date()): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = requireRelyingParty(host);
  const requestOptions = await generateAuthenticationOptions({
    rpID: rp.id,
    challenge: freshChallenge(),
    timeout: CHALLENGE_TTL_MS,
    userVerification: 'required',
  });
  await storeChallenge(db, requestOptions.challenge, 'sign_in', null, now);
  return requestOptions;
}

/**
 * Checks an assertion against a challenge of `purpose` (for `userId`, or anyone's for a sign-in):
 * the challenge is taken once, the credential must be known (and the user's, when one is named),
 * the signature, origin and RP id must verify, and the counter must grow (or stay 0 for
 * authenticators that keep none). Then the counter and last use are written, only if nobody used
 * the passkey meanwhile (a replay racing the real answer loses).
 */
async function verifyAssertion(
  db: Db,
  response: AuthenticationResponseJSON,
  host: string | null | undefined,
  purpose: 'sign_in' | 'verify',
  userId: string | null,
  now: Date,
): Promise<{ passkeyId: string; userId: string }> {
  const rp = requireRelyingParty(host);
  const challenge = await takeChallenge(db, response.response.clientDataJSON, purpose, userId, now);
  const passkey = await db.passkey.findUnique({
    where: { credentialId: response.id },
    select: { id: true, userId: true, credentialId: true, publicKey: true, counter: true, transports: true },
  });
  if (!passkey || (userId !== null && passkey.userId !== userId)) throw new PasskeyError('failed');
  // A discoverable credential names its user: it must be the passkey's.
  const handle = response.response.userHandle;
  if (handle && handle !== Buffer.from(userHandle(passkey.userId)).toString('base64url')) throw new PasskeyError('failed');
  let verified;
  try {
    verified = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: rp.origin,
      expectedRPID: rp.id,
      credential: {
        id: passkey.credentialId,
        publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')),
        counter: Number(passkey.counter),
        transports: transportsOf(passkey.transports),
      },
      // Signing in with the passkey alone needs the user verified on the device (see beginPasskeySignIn).
      requireUserVerification: purpose === 'sign_in',
    });
  } catch {
    // A bad signature, another origin or RP id, a counter that went back, no user verification for a sign-in.
    throw new PasskeyError('failed');
  }
  if (!verified.verified) throw new PasskeyError('failed');
  const { count } = await db.passkey.updateMany({
    where: { id: passkey.id, counter: passkey.counter },
    data: { counter: BigInt(verified.authenticationInfo.newCounter), lastUsedAt: now },
  });
  if (count !== 1) throw new PasskeyError('failed');
  return { passkeyId: passkey.id, userId: passkey.userId };
}

/** Verifies a passkey answer for this user (second factor, step-up); throws PasskeyError. */
export async function verifyPasskeyAuthentication(
  db: Db,
  userId: string,
  response: AuthenticationResponseJSON,
  host: string | null | undefined,
  now = new Date(),
): Promise<{ passkeyId: string }> {
  const { passkeyId } = await verifyAssertion(db, response, host, 'verify', userId, now);
  return { passkeyId };
}

/** Signs in with a passkey: the user whose passkey answered the sign-in challenge; throws PasskeyError. */
export async function signInWithPasskey(
  db: Db,
  response: AuthenticationResponseJSON,
  host: string | null | undefined,
  now = new Date(),
): Promise<{ id: string; name: string; email: string }> {
  const { userId } = await verifyAssertion(db, response, host, 'sign_in', null, now);
  return db.user.findUniqueOrThrow({ where: { id: userId }, select: { id: true, name: true, email: true } });
}
