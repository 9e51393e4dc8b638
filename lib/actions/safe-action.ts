import 'server-only';
import { headers } from 'next/headers';
import { z } from 'zod';
import { clientAddress } from '../http/client-address';
import { getCurrentUser, type CurrentUser } from '../auth/session';
import type { ChangeOrigin } from '../keys/api-keys';

export type ActionResult<T = null> =
  | { ok: true; data: T }
  | { ok: false; error: string; fieldErrors?: Record<string, string[]> };

export const NOT_FOUND = 'Not found.';
export const SIGNED_OUT = 'You are signed out. Sign in again.';

export function fail(error: string, fieldErrors?: Record<string, string[]>): { ok: false; error: string; fieldErrors?: Record<string, string[]> } {
  return fieldErrors ? { ok: false, error, fieldErrors } : { ok: false, error };
}

/** Who made a request and from where, for audit events. */
export async function requestOrigin(user: CurrentUser): Promise<ChangeOrigin> {
  const h = await headers();
  const ip = clientAddress(h);
  return { actorId: user.id, ip: ip === 'unknown' ? null : ip, userAgent: h.get('user-agent') };
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  return 'code' in error ? `${error.name} ${String(error.code)}` : error.name;
}

/** Parses an action's input (FormData or an object) with zod: the data, or a clear error per field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; data: z.output<S> } | { ok: false; error: string; fieldErrors?: Record<string, string[]> } {
  const raw = input instanceof FormData ? Object.fromEntries(input) : input;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
  return fail(Object.values(fieldErrors).flat()[0] ?? 'Invalid input.', fieldErrors);
}

/**
 * Every server action is a public POST endpoint. This wrapper does what each one needs first:
 * the session (refused without one), the input parsed with zod (a clear error, nothing changed),
 * and error shaping (no stack trace, no secret reaches the browser; the log gets the error's
 * name and code only). Authorization against the loaded row stays in each action.
 */
export function authedAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  handler: (input: z.output<S>, user: CurrentUser) => Promise<ActionResult<T>>,
): (input: unknown) => Promise<ActionResult<T>> {
  return async (input: unknown) => {
    const user = await getCurrentUser();
    if (!user) return fail(SIGNED_OUT);
    const parsed = parseInput(schema, input);
    if (!parsed.ok) return parsed;
    try {
      return await handler(parsed.data, user);
    } catch (error) {
      console.error(`[action ${name}] failed: ${describe(error)}`);
      return fail('Something went wrong and nothing was changed. Try again.');
    }
  };
}
