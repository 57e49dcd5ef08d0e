// Hardening of everything web in the app: the app:// scheme that serves the built renderer with its CSP
// header, a request filter that lets nothing remote load, permission requests denied, navigation, new windows
// and <webview> blocked for every web contents.
import { app, net, protocol, type Session } from 'electron'
import { existsSync, statSync } from 'node:fs'
import { extname, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { APP_HOST, APP_SCHEME, appOrigins, cspHeaderFor, isAllowedRequest, isNavigationAllowed, isPermissionAllowed, securityHeaders } from './csp.js'

type Log = (level: 'info' | 'warn', event: string, fields?: Record<string, unknown>) => void

/** Must run before app 'ready': app:// behaves like https (secure context, same-origin rules, fetch). */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }])
}

/** Serves out/renderer on app://triage-desk/ with the security headers; nothing outside that folder. */
export function serveRenderer(rendererDir: string): void {
  const root = resolve(rendererDir)
  const notFound = () => new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain' } })
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    if (url.host !== APP_HOST || request.method !== 'GET') return notFound()
    let path: string
    try {
      path = decodeURIComponent(url.pathname)
    } catch {
      return notFound()
    }
    let file = resolve(root, `.${path === '/' ? '/index.html' : path}`)
    if (file !== root && !file.startsWith(root + sep)) return notFound()
    // A client-side route (no file extension) gets the app's page.
    if (!existsSync(file) && extname(file) === '') file = resolve(root, 'index.html')
    if (!existsSync(file) || !statSync(file).isFile()) return notFound()
    const res = await net.fetch(pathToFileURL(file).toString())
    const headers = new Headers(res.headers)
    for (const [k, v] of Object.entries(securityHeaders())) headers.set(k, v)
    return new Response(res.body, { status: res.status, headers })
  })
}

export function hardenSession(ses: Session, opts: { devServer?: string; log: Log }): void {
  const origins = appOrigins(opts)
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const allowed = isPermissionAllowed(permission, details.requestingUrl ?? contents?.getURL(), origins)
    if (!allowed) opts.log('warn', 'security.permission_denied', { permission })
    callback(allowed)
  })
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, origins))
  ses.setDevicePermissionHandler(() => false)
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, opts)
    if (!allowed) opts.log('warn', 'security.request_blocked', { url: details.url.slice(0, 200) })
    callback({ cancel: !allowed })
  })
  // The dev server's pages get the same policy as the app:// ones; DevTools and extensions keep their own.
  ses.webRequest.onHeadersReceived((details, callback) => {
    const csp = cspHeaderFor(details.url, opts)
    if (!csp) return callback({})
    // Header names arrive in any case: replace the server's policy rather than add a second one beside it.
    const headers = Object.fromEntries(Object.entries(details.responseHeaders ?? {}).filter(([k]) => k.toLowerCase() !== 'content-security-policy'))
    callback({ responseHeaders: { ...headers, 'Content-Security-Policy': [csp] } })
  })
}

/**
 * For every web contents the app ever creates: no navigation away, no new windows, no <webview>. In development
 * (devServer) Vite's full reload of the dev server's page is let through.
 */
export function lockDownWebContents(log: Log, opts: { devServer?: string } = {}): void {
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(({ url }) => {
      log('warn', 'security.window_open_denied', { url: url.slice(0, 200) })
      return { action: 'deny' }
    })
    contents.on('will-navigate', (event, url) => {
      if (isNavigationAllowed(url, opts)) return
      log('warn', 'security.navigation_blocked', { url: url.slice(0, 200) })
      event.preventDefault()
    })
    contents.on('will-attach-webview', (event) => event.preventDefault())
  })
}
