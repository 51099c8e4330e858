/**
 * The renderer loads nothing remote and runs no inline or eval'd code. The same policy is sent as a header by the
 * web host and set as a meta tag in renderer/index.html (where frame-ancestors is not allowed, so it is left out).
 */
export const CSP_DIRECTIVES = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
] as const;

export const CONTENT_SECURITY_POLICY = [...CSP_DIRECTIVES, "frame-ancestors 'none'"].join('; ');
/** The meta-tag form, as written in renderer/index.html. */
export const CONTENT_SECURITY_POLICY_META = CSP_DIRECTIVES.join('; ');
