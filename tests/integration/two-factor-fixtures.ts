// Two-factor authentication for integration tests: codes computed from the secret as an
// authenticator app would (otpauth), and users enrolled through the real actions.
import { Secret, TOTP } from 'otpauth';
import { expect } from 'vitest';
import { db } from '@/lib/db';
import { confirmTwoFactor } from '@/lib/actions/confirm-two-factor';
import { startTwoFactorSetup } from '@/lib/actions/start-two-factor-setup';
import { twoFactorState } from '@/lib/auth/two-factor';
import { CLIENT_ADDRESS_HEADER } from '@/lib/shared/http/client-address';
import { newUser } from './fixtures';
import { request, signInAs } from './request';

export const PASSWORD = 'correct horse battery';
export const STEP_MS = 30_000;

let n = 0;
/** A fresh client address, so that per-address counts start at zero. */
export function fromAddress(): string {
  const address = `198.51.${Math.floor(++n / 250)}.${n % 250}`;
  request.headers.set(CLIENT_ADDRESS_HEADER, address);
  return address;
}

/** The code an authenticator app shows for the secret at `at`. */
export function codeAt(secret: string, at: number): string {
  return new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
}

/** The code of the time step `offset` steps from now. */
export function otherCode(secret: string, offset: number): string {
  return codeAt(secret, Date.now() + offset * STEP_MS);
}

export async function secretOf(user: { id: string; email: string }): Promise<string> {
  const state = await twoFactorState(db, user);
  if (state.status !== 'pending') throw new Error(`expected a pending enrollment, got ${state.status}`);
  return state.secret;
}

/** A user with two-factor authentication on, signed in; returns the secret and the recovery codes. */
export async function enrolledUser(name: string) {
  fromAddress();
  const { user, org } = await newUser(name);
  await signInAs(user);
  expect(await startTwoFactorSetup({})).toEqual({ ok: true, data: null });
  const secret = await secretOf(user);
  // The code of the step before: the one after stays free for the next check.
  const confirmed = await confirmTwoFactor({ code: otherCode(secret, -1) });
  if (!confirmed.ok) throw new Error(confirmed.error);
  return { user, org, secret, recoveryCodes: confirmed.data.recoveryCodes };
}
