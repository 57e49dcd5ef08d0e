// Auto-update through electron-updater from a generic feed (a folder of installers with electron-builder's
// latest*.yml, on a server the institution runs). Off until Settings → updates.feed_url names one; never in a
// development build. An update downloads in the background and installs when the officer quits the app, so a
// triage run is never cut short; the tray says it is ready. The feed URL's credentials never reach the log.
// The decisions are plain functions (tested without Electron); updates-electron.ts passes electron-updater's
// autoUpdater.
import type { EventEmitter } from 'node:events'

export interface UpdatePlan {
  check: boolean
  /** why not, for the log and the About box */
  why: string
  url?: string
}

/** Whether to look for updates, and where. */
export function updatePlan(o: { feedUrl: string; isPackaged: boolean }): UpdatePlan {
  const raw = o.feedUrl.trim()
  if (!raw) return { check: false, why: 'updates are off: no update feed is set (Settings → Updates)' }
  if (!o.isPackaged) return { check: false, why: 'updates are off in a development build' }
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return { check: false, why: `updates are off: "${redact(raw)}" is not a URL` }
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]'
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local))
    return { check: false, why: `updates are off: the feed must be https (${redact(raw)})` }
  return { check: true, why: `checking ${redact(raw)} for updates`, url: url.href }
}

/** A URL as the log may show it: no user name or password. */
function redact(text: string): string {
  return text.replace(/(\w+:\/\/)[^/@\s]*@/g, '$1***@')
}

/** What startUpdates needs of electron-updater's autoUpdater. */
export interface Updater extends Pick<EventEmitter, 'on' | 'removeListener'> {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  setFeedURL(options: { provider: 'generic'; url: string }): void
  checkForUpdates(): Promise<unknown>
}

export const CHECK_EVERY_MS = 6 * 3_600_000

/** Checks now and every 6 hours; `ready(version)` once an update has downloaded. Returns a stop function. */
export function startUpdates(
  updater: Updater,
  plan: UpdatePlan,
  hooks: { log(level: 'info' | 'warn', message: string): void; ready(version: string): void },
  timers: { setInterval: typeof setInterval; clearInterval: typeof clearInterval } = globalThis
): () => void {
  hooks.log('info', plan.why)
  if (!plan.check || !plan.url) return () => {}
  updater.autoDownload = true
  updater.autoInstallOnAppQuit = true
  updater.setFeedURL({ provider: 'generic', url: plan.url })
  const downloaded = (info: { version?: string }) => hooks.ready(info?.version ?? 'a new version')
  const failed = (e: Error) => hooks.log('warn', `update check failed: ${redact(e?.message ?? String(e))}`)
  updater.on('update-downloaded', downloaded)
  updater.on('error', failed)
  const check = () => void updater.checkForUpdates().catch(failed)
  check()
  const t = timers.setInterval(check, CHECK_EVERY_MS)
  // Stopped when the feed changes in the settings (then started again with the new one) and at quit.
  return () => {
    timers.clearInterval(t)
    updater.removeListener('update-downloaded', downloaded)
    updater.removeListener('error', failed)
  }
}
