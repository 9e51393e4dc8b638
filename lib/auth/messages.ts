/** How long the second sign-in step may wait after the password: the server's ticket and the form's timer. */
export const SECOND_STEP_TTL_MS = 5 * 60_000;

/** Sign-in errors, shared by the server (thrown by authorize) and the login form. */
export const SIGN_IN_ERRORS = {
  invalid: 'Invalid email or password.',
  unavailable: 'Signing in is not possible right now. Try again in a moment.',
  /** A wrong, replayed or used code at the second step (and wherever a second factor is asked for). */
  wrongCode: "That code didn't work. Try again or use a recovery code.",
  /** A wrong first code while setting the app up (there are no recovery codes yet). */
  wrongSetupCode: "That code didn't work. Check that your device's clock is right, then try the app's current code.",
  /** The second step came too late (5 minutes) or too often wrong: back to the first. */
  expired: 'Your sign-in expired. Enter your email and password again.',
  /** Email and password alone, for an account with two-factor authentication. */
  secondFactorRequired: 'This account uses two-factor authentication. Sign in on the sign-in page to enter your code or use your passkey.',
} as const;

/**
 * What the browser is told when a passkey answer is refused (lib/auth/passkeys.ts), on sign-in and
 * elsewhere. None says whether an account exists.
 */
export const PASSKEY_MESSAGES = {
  /** Unknown credential, a passkey of someone else, a bad signature, a counter that did not grow, another origin. */
  failed: "That passkey didn't work. Try again.",
  /** An expired, used or unknown challenge. */
  expired: 'That passkey request expired or was already used. Try again.',
  /** No relying party for this request: NEXTAUTH_URL is unset and the address is not a loopback one. */
  origin: "Passkeys work only at the portal's own address (NEXTAUTH_URL).",
} as const;

/**
 * Whether an error next-auth hands the login form is one of ours, worth showing as it is: the
 * generic one, a passkey refusal, or a limit that names the wait (lib/auth/attempts.ts). Anything else is shown as
 * the generic message.
 */
export function isSignInMessage(message: string | null | undefined): message is string {
  if (!message) return false;
  return (
    (Object.values(SIGN_IN_ERRORS) as string[]).includes(message) ||
    Object.values<string>(PASSKEY_MESSAGES).includes(message) ||
    /^Too many [a-z -]+\. Try again in \d+ (second|minute)s?\.$/.test(message)
  );
}

/**
 * Why a browser was signed out by something done elsewhere: the reason kept on the ended
 * session's row (lib/auth/sessions.ts), shown on sign-in as `?reason=<code>`. Only these codes
 * reach a URL; the sign-in page ignores any other.
 */
export const SIGNED_OUT_REASONS = {
  'password-changed': 'You were signed out because your password was changed.',
  'signed-out-everywhere': 'You were signed out because Sign out everywhere was used on your account.',
  'signed-out-remotely': 'You were signed out because this session was ended from Account → Sessions in another browser.',
  'two-factor-changed': 'You were signed out because two-factor authentication was turned on or off for your account.',
} as const;
export type SignedOutReason = keyof typeof SIGNED_OUT_REASONS;

export function isSignedOutReason(value: unknown): value is SignedOutReason {
  return typeof value === 'string' && Object.hasOwn(SIGNED_OUT_REASONS, value);
}
