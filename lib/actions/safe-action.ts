import 'server-only';
import { headers } from 'next/headers';
import { z } from 'zod';
import { clientAddress } from '../shared/http/client-address';
import { requestId } from '../shared/logger';
import type { ChangeOrigin } from '../audit';
import { observability } from '../observability';
import { findAppAccess, findOrgAccess, type AppAccess, type AppRef, type OrgAccess, type OrgRef } from '../auth/access';
import { grant, type Granted, type Permission } from '../auth/permissions';
import { getCurrentSession, type CurrentUser } from '../auth/session';
import { requireRecentAuthentication } from '../auth/step-up';
import { AppError, ERROR_MESSAGES, logUnexpected, type ErrorCode } from '../shared/errors';

/**
 * The error codes an action's answer names in `code`: those the client acts on rather than only
 * shows (`reauth_required`: ask "Confirm it's you", then run the action again). Every other
 * refusal is `{ ok: false, error }` with its message.
 */
export const ACTION_ERROR_CODES = ['reauth_required'] as const satisfies readonly ErrorCode[];
export type ActionErrorCode = (typeof ACTION_ERROR_CODES)[number];
const isActionErrorCode = (code: ErrorCode): code is ActionErrorCode => (ACTION_ERROR_CODES as readonly ErrorCode[]).includes(code);

export type ActionError = { ok: false; error: string; code?: ActionErrorCode; fieldErrors?: Record<string, string[]> };
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
function toActionError(name: string, error: unknown, note: (code: ErrorCode) => void): ActionError {
  note(error instanceof AppError ? error.code : 'internal');
  if (error instanceof AppError) {
    const { fieldErrors } = error.options;
    return {
      ok: false,
      error: error.message,
      ...(isActionErrorCode(error.code) ? { code: error.code } : {}),
      ...(fieldErrors ? { fieldErrors } : {}),
    };
  }
  logUnexpected(`action ${name}`, error);
  return { ok: false, error: ERROR_MESSAGES.internal };
}

/**
 * Counts an action's answer (portal_action_results_total) and logs its one line: the action's
 * name, its result (ok or the error code), the time it took, and the request id (the client's
 * X-Request-Id when short and printable). Never its input: passwords and keys pass through actions.
 */
async function observed<T>(name: string, run: (note: (code: ErrorCode) => void) => Promise<ActionResult<T>>): Promise<ActionResult<T>> {
  const started = performance.now();
  let code = 'internal';
  try {
    const result = await run((noted) => (code = noted));
    if (result.ok) code = 'ok';
    return result;
  } finally {
    const { actions, logger } = observability();
    actions.inc({ action: name, result: code });
    const id = requestId((await headers().catch(() => null))?.get('x-request-id'));
    logger.info({ requestId: id, door: 'action', route: name, status: code, ms: Math.round((performance.now() - started) * 100) / 100 }, 'request');
  }
}

/**
 * A server action anyone may call (sign-up): the input parsed with zod, and errors shaped. Every
 * server action is a public POST endpoint; this wrapper is for the few that need no session.
 */
export function publicAction<S extends z.ZodType, T>(
  config: { name: string; schema: S },
  handler: (input: z.output<S>) => Promise<T>,
): (input: unknown) => Promise<ActionResult<T>> {
  return (input: unknown) =>
    observed(config.name, async (note) => {
      try {
        return { ok: true, data: await handler(parseInput(config.schema, input)) };
      } catch (error) {
        return toActionError(config.name, error, note);
      }
    });
}

/** What every signed-in action's handler gets: the user and their session. */
export type ActionContext = { user: CurrentUser; session: { id: string } };
type Action<T> = (input: unknown) => Promise<ActionResult<T>>;
type Config<S extends z.ZodType> = {
  name: string;
  schema: S;
  /** A sensitive action: refused with `reauth_required` unless the session authenticated within STEP_UP_WINDOW_SECONDS (lib/auth/step-up.ts). */
  stepUp?: boolean;
};
/** Where an action finds the app or organization it acts on, and the permission it needs there. */
type AccessSpec<I> = { permission: Permission; app: (input: I) => AppRef } | { permission: Permission; org: (input: I) => OrgRef } | { permission?: never };
type ContextFor<C> = C extends { permission: infer P extends Permission; app: unknown }
  ? ActionContext & { access: Granted<AppAccess, P> }
  : C extends { permission: infer P extends Permission; org: unknown }
    ? ActionContext & { access: Granted<OrgAccess, P> }
    : ActionContext;

/**
 * Every other server action: the session (refused without one), the input parsed with zod (a
 * clear error, nothing changed), the permission, and error shaping: an AppError becomes
 * `{ ok: false, error }` with its message; anything else is logged as name and code and
 * answered generically (no stack trace, no secret reaches the browser).
 *
 * An action on an app or an organization declares it with `{ permission, app }` or
 * `{ permission, org }` (how to find it in the input): the wrapper loads the caller's access
 * (lib/auth/access; "not found" and "not yours" are one answer), checks the permission once, and
 * hands the handler the proven access (`Granted`). A change that must re-check the role when it
 * commits takes that access to the lock helpers in lib/data/locks.ts.
 *
 * A sensitive action adds `stepUp: true`: once input and permission pass, it is refused with
 * `{ ok: false, code: 'reauth_required' }` (nothing changed) unless the session authenticated
 * within the step-up window; the client's useStepUp asks the user to confirm and runs it again.
 */
export function authedAction<S extends z.ZodType, const C extends AccessSpec<z.output<S>>, T>(
  config: Config<S> & C,
  handler: (input: z.output<S>, context: ContextFor<C>) => Promise<T>,
): Action<T> {
  const spec = config as AccessSpec<z.output<S>>;
  const run = handler as (input: z.output<S>, context: ActionContext & { access?: OrgAccess }) => Promise<T>;
  return (input: unknown) => observed(config.name, (note) => authed(input, note));
  async function authed(input: unknown, note: (code: ErrorCode) => void): Promise<ActionResult<T>> {
    const current = await getCurrentSession();
    if (!current) {
      note('unauthorized');
      return { ok: false, error: ERROR_MESSAGES.unauthorized };
    }
    try {
      const parsed = parseInput(config.schema, input);
      const context: ActionContext & { access?: OrgAccess } = { user: current.user, session: { id: current.sessionId } };
      if (spec.permission) {
        const access = 'app' in spec ? await findAppAccess(current.user.id, spec.app(parsed)) : await findOrgAccess(current.user.id, spec.org(parsed));
        if (!access) throw new AppError('not_found');
        context.access = grant(access, spec.permission);
      }
      // After the permission: someone who may not do this is told so, not asked for a password.
      if (config.stepUp) await requireRecentAuthentication(current.sessionId);
      return { ok: true, data: await run(parsed, context) };
    } catch (error) {
      return toActionError(config.name, error, note);
    }
  }
}
