/** Sign-in errors, shared by the server (thrown by authorize) and the login form. */
export const SIGN_IN_ERRORS = {
  invalid: 'Invalid email or password.',
  unavailable: 'Signing in is not possible right now. Try again in a moment.',
} as const;

/**
 * Whether an error next-auth hands the login form is one of ours, worth showing as it is: the
 * generic one, or a limit that names the wait (lib/auth/attempts.ts). Anything else is shown as
 * the generic message.
 */
export function isSignInMessage(message: string | null | undefined): message is string {
  if (!message) return false;
  return (
    message === SIGN_IN_ERRORS.invalid || message === SIGN_IN_ERRORS.unavailable || /^Too many [a-z -]+\. Try again in \d+ (second|minute)s?\.$/.test(message)
  );
}
