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

/**
 * Requests the window may make at all (checked before any byte leaves): the app's own scheme, inline data,
 * and in development the local dev server. Everything else (any remote host) is cancelled.
 */
export function isAllowedRequest(url: string, opts: { devServer?: string } = {}): boolean {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  if (u.protocol === `${APP_SCHEME}:`) return url.startsWith(`${APP_ORIGIN}/`) || url === APP_ORIGIN
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'devtools:') return true
  if (opts.devServer) {
    const dev = new URL(opts.devServer)
    const sameHost = u.host === dev.host
    if (sameHost && (u.protocol === dev.protocol || u.protocol === 'ws:' || u.protocol === 'wss:')) return true
  }
  return false
}

/**
 * Permissions the page may use: only writing to the clipboard (a "copy hash" button), and only from the app's
 * own page. Camera, microphone, notifications, geolocation, reading the clipboard: all refused.
 */
export function isPermissionAllowed(permission: string, requestingUrl: string | undefined, appOrigins: readonly string[]): boolean {
  if (permission !== 'clipboard-sanitized-write') return false
  if (!requestingUrl) return false
  try {
    const u = new URL(requestingUrl)
    const origin = u.origin === 'null' ? `${u.protocol}//${u.host}` : u.origin
    return appOrigins.includes(origin)
  } catch {
    return false
  }
}

/** The origins of the app's own pages: app://triage-desk, and in development the local dev server. */
export function appOrigins(opts: { devServer?: string } = {}): string[] {
  return opts.devServer ? [APP_ORIGIN, new URL(opts.devServer).origin] : [APP_ORIGIN]
}

const originOf = (u: URL) => (u.origin === 'null' ? `${u.protocol}//${u.host}` : u.origin)

/**
 * Whether a page may navigate to url (will-navigate). Never, except in development a reload of the dev server's
 * page: Vite's full reload after an edit is location.reload() of that page. Another path or origin stays blocked.
 */
export function isNavigationAllowed(url: string, opts: { devServer?: string } = {}): boolean {
  if (!opts.devServer) return false
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return false
  }
  const dev = new URL(opts.devServer)
  return originOf(u) === dev.origin && u.pathname === dev.pathname && !u.username && !u.password
}

/**
 * The CSP header to add to a response (onHeadersReceived), or null to leave it alone: only the app's own pages
 * get it. DevTools (devtools://) and its extensions (chrome-extension://) have their own policy and break under ours.
 */
export function cspHeaderFor(url: string, opts: { devServer?: string } = {}): string | null {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  return appOrigins(opts).includes(originOf(u)) ? contentSecurityPolicy(opts) : null
}
