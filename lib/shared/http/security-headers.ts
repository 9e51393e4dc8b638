/**
 * The portal's security headers (proxy.ts sets them on every page). Scripts: only the portal's
 * own, each carrying this request's nonce ('strict-dynamic' lets those load the chunks they
 * import); no 'unsafe-eval' outside development (React's dev tools need it there). Frames: none.
 */
export function securityHeaders(options: { nonce: string; dev: boolean; https: boolean }): Record<string, string> {
  const { nonce, dev, https } = options;
  const csp = [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // Inline styles stay allowed (react-hot-toast writes a style element at run time); a
    // style cannot run code, and scripts are what the policy is strict about.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
  return {
    'Content-Security-Policy': csp,
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'same-origin',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    ...(https ? { 'Strict-Transport-Security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
