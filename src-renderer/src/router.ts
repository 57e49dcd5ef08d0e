// Hash routing (#/audit?id=12): works the same from app:// in Electron and from http://127.0.0.1 in a browser.
import { useEffect, useState } from 'react'

export const SCREENS = ['dashboard', 'queue', 'import', 'audit', 'runs', 'quarantine', 'deliveries', 'reports', 'rules', 'settings', 'setup'] as const
export type Screen = (typeof SCREENS)[number]

export interface Route {
  screen: Screen
  params: URLSearchParams
}

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#\/?/, '').split('?')
  const screen = (SCREENS as readonly string[]).includes(path) ? (path as Screen) : 'dashboard'
  return { screen, params: new URLSearchParams(query) }
}

/** Opens a screen. replace: the same history entry (a filter typed or changed), so Back leaves the screen, not the keystroke. */
export function navigate(screen: Screen, params: Record<string, string | number | undefined> = {}, opts: { replace?: boolean } = {}): void {
  const q = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') q.set(k, String(v))
  const s = q.toString()
  const hash = `#/${screen}${s ? `?${s}` : ''}`
  if (hash === location.hash) return
  if (!opts.replace) {
    location.hash = hash
    return
  }
  // replaceState fires no hashchange: tell useRoute ourselves.
  history.replaceState(history.state, '', hash)
  window.dispatchEvent(new HashChangeEvent('hashchange'))
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash))
  useEffect(() => {
    const on = () => setRoute(parseRoute(location.hash))
    window.addEventListener('hashchange', on)
    return () => window.removeEventListener('hashchange', on)
  }, [])
  return route
}
