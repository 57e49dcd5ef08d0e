// The window's Content-Security-Policy allows nothing remote and no inline script outside development.
import { describe, expect, it } from 'vitest'
import { contentSecurityPolicy, cspHeaderFor, isNavigationAllowed, securityHeaders } from '../../src-main/app/csp.js'

const directive = (csp: string, name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `))

describe('Content-Security-Policy', () => {
  it('allows only the app itself in production, with no inline or eval script', () => {
    const csp = contentSecurityPolicy()
    expect(directive(csp, 'default-src')).toBe("default-src 'none'")
    expect(directive(csp, 'script-src')).toBe("script-src 'self'")
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self'")
    expect(directive(csp, 'object-src')).toBe("object-src 'none'")
    expect(directive(csp, 'frame-ancestors')).toBe("frame-ancestors 'none'")
    expect(csp).not.toMatch(/https?:|unsafe-eval|\*/)
  })

  it("in development adds only the local dev server's hot-reload socket and Vite's inline preamble", () => {
    const csp = contentSecurityPolicy({ devServer: 'http://localhost:5173/' })
    expect(directive(csp, 'connect-src')).toBe("connect-src 'self' ws://localhost:5173")
    expect(directive(csp, 'script-src')).toBe("script-src 'self' 'unsafe-inline'")
    expect(csp).not.toMatch(/unsafe-eval/)
  })

  it('is sent with nosniff and no referrer', () => {
    expect(securityHeaders()).toMatchObject({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer' })
  })
})

describe('request filter', () => {
  it('lets the window load only the app itself, never a remote host', async () => {
    const { isAllowedRequest } = await import('../../src-main/app/csp.js')
    expect(isAllowedRequest('app://triage-desk/assets/index.js')).toBe(true)
    expect(isAllowedRequest('data:image/png;base64,AAAA')).toBe(true)
    expect(isAllowedRequest('https://cdn.example/lib.js')).toBe(false)
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx')).toBe(false)
    expect(isAllowedRequest('app://elsewhere/x')).toBe(false)
    expect(isAllowedRequest('file:///etc/passwd')).toBe(false)
    const dev = { devServer: 'http://localhost:5173/' }
    expect(isAllowedRequest('http://localhost:5173/src/main.tsx', dev)).toBe(true)
    expect(isAllowedRequest('ws://localhost:5173/', dev)).toBe(true)
    expect(isAllowedRequest('http://localhost:5174/', dev)).toBe(false)
    expect(isAllowedRequest('https://example.com/', dev)).toBe(false)
  })
})

describe('permissions', () => {
  it('allows only clipboard writes from the app page; everything else is refused', async () => {
    const { isPermissionAllowed } = await import('../../src-main/app/csp.js')
    const origins = ['app://triage-desk']
    expect(isPermissionAllowed('clipboard-sanitized-write', 'app://triage-desk/index.html', origins)).toBe(true)
    expect(isPermissionAllowed('clipboard-sanitized-write', 'https://evil.example/', origins)).toBe(false)
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fileSystem'])
      expect(isPermissionAllowed(p, 'app://triage-desk/index.html', origins)).toBe(false)
  })
})

describe('navigation (will-navigate)', () => {
  const dev = { devServer: 'http://localhost:5173/' }
  it("lets Vite's full reload of the dev server's page through in development, hash and query included", () => {
    expect(isNavigationAllowed('http://localhost:5173/', dev)).toBe(true)
    expect(isNavigationAllowed('http://localhost:5173/#/audit?id=12', dev)).toBe(true)
    expect(isNavigationAllowed('http://localhost:5173/?t=1', dev)).toBe(true)
  })

  it('blocks every other navigation in development: another port, host, scheme or path', () => {
    for (const url of [
      'http://localhost:5174/',
      'http://127.0.0.1:5173/',
      'https://localhost:5173/',
      'http://localhost:5173/@fs/etc/passwd',
      'http://user:pw@localhost:5173/',
      'https://example.com/',
      'file:///etc/passwd',
      'app://triage-desk/index.html',
      'not a url'
    ])
      expect(isNavigationAllowed(url, dev), url).toBe(false)
  })

  it('blocks every navigation in production, the app page included', () => {
    expect(isNavigationAllowed('app://triage-desk/index.html')).toBe(false)
    expect(isNavigationAllowed('http://localhost:5173/')).toBe(false)
  })
})

describe('which responses get the CSP header', () => {
  const dev = { devServer: 'http://localhost:5173/' }
  it("gives the app's own pages the app's policy (the dev server's in development)", () => {
    expect(cspHeaderFor('http://localhost:5173/', dev)).toBe(contentSecurityPolicy(dev))
    expect(cspHeaderFor('http://localhost:5173/src/main.tsx', dev)).toBe(contentSecurityPolicy(dev))
    expect(cspHeaderFor('app://triage-desk/index.html')).toBe(contentSecurityPolicy())
  })

  it('leaves DevTools, extensions and anything else alone', () => {
    for (const url of [
      'devtools://devtools/bundled/devtools_app.html',
      'chrome-extension://fmkadmapgofadopljbjfkapdkoienihi/main.html',
      'http://localhost:5174/',
      'https://example.com/',
      'garbage'
    ])
      expect(cspHeaderFor(url, dev), url).toBeNull()
    expect(cspHeaderFor('http://localhost:5173/')).toBeNull()
  })
})
