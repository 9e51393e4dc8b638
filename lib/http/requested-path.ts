/** The request header through which proxy.ts tells pages which path was asked for. */
export const REQUESTED_PATH_HEADER = 'x-portal-requested-path';

/** A same-site path to return to after signing in; anything else (another origin, a malformed value) goes home. */
export function safeCallbackUrl(value: string | string[] | null | undefined): string {
  const url = Array.isArray(value) ? value[0] : value;
  return url && url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\') ? url : '/';
}

/** The sign-in page that brings the visitor back to `path` afterwards. */
export function loginUrlFor(path: string | null | undefined): string {
  const callback = safeCallbackUrl(path);
  return callback === '/' ? '/login' : `/login?${new URLSearchParams({ callbackUrl: callback })}`;
}
