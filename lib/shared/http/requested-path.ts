/** The request header through which proxy.ts tells pages which path was asked for. */
export const REQUESTED_PATH_HEADER = 'x-portal-requested-path';

const PLACEHOLDER_ORIGIN = 'http://portal.invalid';

/**
 * A same-site path to return to after signing in; anything else goes home. The value is parsed
 * the way a browser parses it (which drops tabs and line breaks, so `/<TAB>/evil.example` is
 * `//evil.example`), and kept only when it stays on this origin; what comes back is the parsed
 * path, query and fragment, never the raw text.
 */
export function safeCallbackUrl(value: string | string[] | null | undefined): string {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw || !raw.startsWith('/')) return '/';
  try {
    const url = new URL(raw, PLACEHOLDER_ORIGIN);
    return url.origin === PLACEHOLDER_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : '/';
  } catch {
    return '/';
  }
}

/**
 * The sign-in page that brings the visitor back to `path` afterwards; `reason` is a code of
 * SIGNED_OUT_REASONS (lib/auth/messages.ts), which the page turns into "You were signed out because …".
 */
export function loginUrlFor(path: string | null | undefined, reason?: string | null): string {
  const callback = safeCallbackUrl(path);
  const query = new URLSearchParams({ ...(reason ? { reason } : {}), ...(callback === '/' ? {} : { callbackUrl: callback }) });
  return query.size === 0 ? '/login' : `/login?${query}`;
}
