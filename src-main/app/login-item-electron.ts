// Start at login as the system should have it, through Electron's app.setLoginItemSettings or the XDG autostart
// entry (login-item.ts decides, electron-free and tested; this does the asking and the writing).
import { app } from 'electron'
import { homedir } from 'node:os'
import type { Logger } from '../core/log.js'
import { applyXdgAutostart, electronLoginItemUpdate, loginItemPlan } from './login-item.js'

/** Start at login (settings.start_at_login) as the system should have it: a login item, or the XDG autostart entry. */
export function applyLoginItem(enabled: boolean, log: Logger): void {
  const plan = loginItemPlan({
    platform: process.platform,
    isPackaged: app.isPackaged,
    enabled,
    execPath: process.execPath,
    env: process.env,
    homedir: homedir()
  })
  try {
    if (plan.kind === 'electron') {
      const query = plan.settings.path ? { path: plan.settings.path, args: plan.settings.args } : undefined
      const update = electronLoginItemUpdate(plan, app.getLoginItemSettings(query).openAtLogin)
      if (update) {
        app.setLoginItemSettings(update)
        log.info('login_item.set', { open_at_login: update.openAtLogin })
      }
    } else if (plan.kind === 'xdg') {
      const done = applyXdgAutostart(plan)
      if (done !== 'unchanged') log.info(`login_item.${done}`, { path: plan.path })
    }
  } catch (e) {
    log.warn('login_item.failed', { error: (e as Error).message })
  }
}
