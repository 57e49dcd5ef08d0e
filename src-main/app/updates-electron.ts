// Auto-update through electron-updater's autoUpdater (updates.ts decides, electron-free and tested): started on the
// feed the settings name, restarted when it changes.
import { app } from 'electron'
import electronUpdater from 'electron-updater'
import type { Logger } from '../core/log.js'
import { startUpdates, updatePlan } from './updates.js'

export class AutoUpdates {
  private updates: { url: string | undefined; stop(): void } | null = null

  constructor(
    private readonly log: Logger,
    /** An update has downloaded (it installs when the officer quits the app). */
    private readonly ready: (version: string) => void
  ) {}

  /** Auto-update from settings.updates.feed_url (off while empty); restarted when the feed changes. */
  apply(feedUrl: string): void {
    const plan = updatePlan({ feedUrl, isPackaged: app.isPackaged })
    if (this.updates && this.updates.url === plan.url) return
    this.updates?.stop()
    const stop = startUpdates(electronUpdater.autoUpdater, plan, {
      log: (level, message) => this.log.log(level, 'updates', { message }),
      ready: (version) => this.ready(version)
    })
    this.updates = { url: plan.url, stop }
  }
}
