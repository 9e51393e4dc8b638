import 'server-only';
import { PasskeyError } from '../auth/passkeys';
import { AppError } from '../shared/errors';

/** Runs a passkey step of an action: a refused passkey becomes an `invalid` AppError with its message (nothing changed). */
export async function asAction<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof PasskeyError) throw new AppError('invalid', error.message);
    throw error;
  }
}
