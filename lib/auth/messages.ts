/** Sign-in errors, shared by the server (thrown by authorize) and the login form. */
export const SIGN_IN_ERRORS = {
  invalid: 'Invalid email or password.',
  locked: `Too many failed sign-in attempts for this email. Try again in 15 minutes.`,
} as const;
