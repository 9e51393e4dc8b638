import 'server-only';
import { headers } from 'next/headers';
import { z } from 'zod';
import { clientAddress } from '../shared/http/client-address';
import type { ChangeOrigin } from '../audit';
import { getCurrentSession, type CurrentUser } from '../auth/session';
import { AppError, ERROR_MESSAGES, logUnexpected } from '../shared/errors';

export type ActionError = { ok: false; error: string; fieldErrors?: Record<string, string[]> };
export type ActionResult<T = null> = { ok: true; data: T } | ActionError;

/** Who made a request and from where, for audit events. */
export async function requestOrigin(user: CurrentUser): Promise<ChangeOrigin> {
  const h = await headers();
  const ip = clientAddress(h);
  return { actorId: user.id, ip: ip === 'unknown' ? null : ip, userAgent: h.get('user-agent') };
}

/** Parses an action's input (FormData or an object) with zod: the data, or an `invalid` AppError with a message per field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const raw = input instanceof FormData ? Object.fromEntries(input) : input;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[]>;
  throw new AppError('invalid', Object.values(fieldErrors).flat()[0] ?? ERROR_MESSAGES.invalid, { fieldErrors });
}

/** An AppError as an action's answer; anything else is logged (name and code only) and answered generically. */
function toActionError(name: string, error: unknown): ActionError {
  if (error instanceof AppError) {
    const { fieldErrors } = error.options;
    return fieldErrors ? { ok: false, error: error.message, fieldErrors } : { ok: false, error: error.message };
  }
  logUnexpected(`action ${name}`, error);
  return { ok: false, error: ERROR_MESSAGES.internal };
}

/**
 * A server action anyone may call (sign-up): the input parsed with zod, and errors shaped. Every
 * server action is a public POST endpoint; this wrapper is for the few that need no session.
 */
export function publicAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  handler: (input: z.output<S>) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return async (input: unknown) => {
    try {
      return { ok: true, data: await handler(parseInput(schema, input)) };
    } catch (error) {
      return toActionError(name, error);
    }
  };
}

/**
 * Every other server action: the session (refused without one), the input parsed with zod (a
 * clear error, nothing changed), and error shaping: an AppError becomes `{ ok: false, error }`
 * with its message; anything else is logged as name and code and answered generically (no stack
 * trace, no secret reaches the browser). Authorization against the loaded row stays in each
 * action, through lib/auth/access and lib/auth/permissions.
 */
export function authedAction<S extends z.ZodType, T>(
  name: string,
  schema: S,
  handler: (input: z.output<S>, user: CurrentUser, session: { id: string }) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return async (input: unknown) => {
    const current = await getCurrentSession();
    if (!current) return { ok: false, error: ERROR_MESSAGES.unauthorized };
    try {
      return { ok: true, data: await handler(parseInput(schema, input), current.user, { id: current.sessionId }) };
    } catch (error) {
      return toActionError(name, error);
    }
  };
}
