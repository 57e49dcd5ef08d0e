// What the tray menu's items do (tray-menu.ts lays them out): open the window or a queue, run now, pause the
// schedule, switch dry-run (asking before going live), quit.
import { app, dialog } from 'electron'
import { redactSecrets } from '../api/secrets.js'
import type { Notifier } from './notify.js'
import type { Scheduler } from './schedule.js'
import type { DesktopSettings } from './settings-store.js'
import type { TrayAction } from './tray-menu.js'
import type { MainWindow } from './window.js'

export function trayActions(d: {
  window: MainWindow
  scheduler: Scheduler
  settings: DesktopSettings
  notifier: Notifier
  refreshTray: () => void
}): Record<TrayAction, () => void> {
  async function manualRun(): Promise<void> {
    const outcome = await d.scheduler.runNow()
    if (outcome.status === 'busy') d.notifier.message('Triage run not started', outcome.text)
    else if (outcome.status === 'failed') d.notifier.message('Triage run failed', outcome.text)
    else d.notifier.message('Triage run finished', outcome.text)
    d.refreshTray()
  }

  async function toggleDryRun(): Promise<void> {
    const current = d.settings.get().settings.dry_run
    if (current) {
      // Going live is the one switch that makes the app send messages: ask once, plainly.
      const r = await dialog.showMessageBox({
        type: 'warning',
        title: 'Turn dry-run off?',
        message: 'Turn dry-run off and send deliveries for real?',
        detail: 'New alerts will be sent to the Slack channels and e-mail lists in the routing settings.',
        buttons: ['Keep dry-run', 'Send for real'],
        defaultId: 0,
        cancelId: 0
      })
      if (r.response !== 1) return d.refreshTray()
    }
    try {
      d.settings.patch({ dry_run: !current })
      d.window.send({ type: 'settingsChanged', settings: redactSecrets(d.settings.get().settings) })
    } catch (e) {
      d.notifier.message('Dry-run not changed', (e as Error).message)
    }
    d.refreshTray()
  }

  return {
    open: () => d.window.show(),
    'run-now': () => void manualRun(),
    'toggle-pause': () => (d.scheduler.status().paused ? d.scheduler.resume() : d.scheduler.pause()),
    'toggle-dry-run': () => void toggleDryRun(),
    'queue-mine': () => d.window.navigate({ view: 'queue', tab: 'mine' }),
    'queue-approval': () => d.window.navigate({ view: 'queue', tab: 'approval' }),
    'queue-overdue': () => d.window.navigate({ view: 'queue', tab: 'overdue' }),
    'queue-all': () => d.window.navigate({ view: 'queue', tab: 'all' }),
    'rules-silences': () => d.window.navigate({ view: 'rules', tab: 'silences' }),
    quit: () => app.quit()
  }
}
