// The window's Content-Security-Policy, sent as a response header on every page load (the renderer's
// index.html carries the same policy in a meta tag for the HTTP mode). Nothing remote: scripts, styles,
// images and connections come from the app itself.
export const APP_SCHEME = 'app'
export const APP_HOST = 'triage-desk'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

export function contentSecurityPolicy(opts: { devServer?: string } = {}): string {
  const dev = opts.devServer ? new URL(opts.devServer) : null
  const hmr = dev ? `${dev.protocol === 'https:' ? 'wss' : 'ws'}://${dev.host}` : null
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    // Dev only: Vite's React plugin injects one inline module script (the fast-refresh preamble).
    'script-src': dev ? ["'self'", "'unsafe-inline'"] : ["'self'"],
    // React and the chart library set style attributes; styles cannot run code.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': dev && hmr ? ["'self'", hmr] : ["'self'"],
    'worker-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"]
  }
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ')
}

/** The headers every app page is served with. */
export function securityHeaders(opts: { devServer?: string } = {}): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(opts),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin'
  }
}
