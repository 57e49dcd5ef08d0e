// The Electron main process: a thin shell. It owns the window, the tray, the schedule, notifications and the
// settings file; the engine (store + API handlers) runs in a utilityProcess and main only relays messages.
import { app, dialog, Menu, powerMonitor, safeStorage, session, shell, utilityProcess } from 'electron'
import ElectronStore from 'electron-store'
import electronUpdater from 'electron-updater'
import { mkdirSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { z } from 'zod'
import type { Method, RunOutcome as ApiRunOutcome, Summary } from '../api/contract.js'
import { redactSecrets } from '../api/secrets.js'
import { APP_NAME, appDataDir, type Settings } from '../core/config/index.js'
import { createLogger, type Logger } from '../core/log.js'
import { NAV } from '../../src-renderer/src/nav.js'
import { appMenuTemplate } from './app-menu.js'
import { APP_ORIGIN, appOrigins } from './csp.js'
import { EngineHost, type EngineChild } from './engine-host.js'
import { registerIpc } from './ipc.js'
import { applyXdgAutostart, electronLoginItemUpdate, loginItemPlan, startsHidden } from './login-item.js'
import { Notifier } from './notify.js'
import { iconsDir, nativeBindingHint, nativeBindingPath, readmePath, type AppLocation } from './paths.js'
import { initialScheduleState, nodeCronTimer, Scheduler, type RunOutcome, type RunTrigger, type ScheduleState } from './schedule.js'
import { hardenSession, lockDownWebContents, registerAppScheme, serveRenderer } from './security.js'
import { DesktopSettings, safeStorageCodec, type SettingsFile } from './settings-store.js'
import { TrayController } from './tray.js'
import { electronTrayDeps } from './tray-electron.js'
import { affectsCaseCounts, TrayCaseCounts } from './tray-cases.js'
import { affectsSilences, TraySilenceReminder } from './tray-silences.js'
import { runCountsText, type TrayAction, type TrayCases, type TrayLastRun, type TraySilences } from './tray-menu.js'
import { startUpdates, updatePlan } from './updates.js'
import { MainWindow } from './window.js'

const DEFAULT_SCHEDULE = '*/15 * * * *'

export function startApp(): void {
  // The CLI finds the app's database and settings through the same folder (core/config appDataDir()).
  app.setPath('userData', appDataDir())
  if (!app.requestSingleInstanceLock()) {
    app.quit()
    return
  }
  registerAppScheme()
  if (process.platform === 'win32') app.setAppUserModelId('desk.triage.app')
  let desktop: Desktop | null = null
  // A second start brings the window forward, unless it is a login start (--hidden) finding the app already running.
  app.on('second-instance', (_event, argv) => {
    if (!startsHidden(argv, false)) desktop?.showWindow()
  })
  // macOS: a click on the Dock icon (or opening the app again) brings the window back after it was closed.
  app.on('activate', () => desktop?.showWindow())
  // The app lives in the tray: closing the last window does not quit.
  app.on('window-all-closed', () => {})
  app
    .whenReady()
    .then(() => {
      desktop = new Desktop()
      return desktop.start()
    })
    .catch((e: Error) => {
      dialog.showErrorBox('Triage Desk cannot start', e.message)
      app.exit(1)
    })
}

const lastRunSchema = z.object({ at: z.string(), trigger: z.enum(['schedule', 'manual', 'resume']), status: z.enum(['ok', 'failed']), text: z.string() })
const scheduleStateSchema = z.object({ paused: z.boolean(), lastRunAt: z.string().nullable(), lastRun: lastRunSchema.nullable(), dueAt: z.string().nullable() })

function timeFormat(iso: string): string {
  const d = new Date(iso)
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })
  return d.toDateString() === new Date().toDateString() ? time : `${d.toLocaleDateString([], { day: 'numeric', month: 'short' })} ${time}`
}

class Desktop {
  readonly userData = app.getPath('userData')
  readonly devServer = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined
  readonly location: AppLocation = { isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath, env: process.env }
  readonly log: Logger
  readonly settings: DesktopSettings
  readonly appState: ElectronStore<{ schedule?: unknown }>
  readonly window: MainWindow
  readonly engine: EngineHost
  readonly scheduler: Scheduler
  readonly notifier: Notifier
  tray: TrayController<Electron.NativeImage, Electron.Menu> | null = null
  private quitting = false
  private shutDown = false
  private lastRun: TrayLastRun | null = null
  private cases: TrayCases | null = null
  readonly caseCounts: TrayCaseCounts
  private silences: TraySilences | null = null
  readonly silenceReminder: TraySilenceReminder
  private problems: string[] = []
  private updates: { url: string | undefined; stop(): void } | null = null

  constructor() {
    mkdirSync(join(this.userData, 'logs'), { recursive: true })
    this.log = createLogger({ file: join(this.userData, 'logs', 'desktop.log'), level: 'info', stderr: !app.isPackaged })
    const log = (level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>) => this.log.log(level, event, fields)

    lockDownWebContents(log, { devServer: this.devServer })
    hardenSession(session.defaultSession, { devServer: this.devServer, log })
    if (!this.devServer) serveRenderer(join(__dirname, '../renderer'))

    const opened = this.openSettingsFile()
    this.settings = new DesktopSettings({ ...opened, codec: safeStorageCodec(safeStorage), baseDir: this.userData })
    this.problems.push(...this.settings.problems())
    this.appState = new ElectronStore<{ schedule?: unknown }>({ cwd: this.userData, name: 'app-state', clearInvalidConfig: true })

    const icons = iconsDir(this.location)
    this.window = new MainWindow({
      preload: join(__dirname, '../preload/preload.cjs'),
      url: this.devServer ?? `${APP_ORIGIN}/index.html`,
      icon: join(icons, 'icon.png'),
      quitting: () => this.quitting,
      devTools: !app.isPackaged
    })

    this.engine = new EngineHost({
      fork: () => this.forkEngine(),
      init: () => ({
        dbPath: join(this.userData, 'triage.db'),
        nativeBinding: nativeBindingPath(this.location),
        logFile: join(this.userData, 'logs', 'engine.log'),
        settings: this.settings.forEngine(),
        schedule: this.scheduleInfo()
      }),
      onEvent: (event) => {
        this.window.send(event)
        if (affectsCaseCounts(event)) void this.caseCounts.refresh()
        if (affectsSilences(event)) void this.silenceReminder.refresh()
        if (event.type === 'runFinished') {
          const s = event.summary
          this.lastRun = {
            at: new Date().toISOString(),
            status: s.status === 'ok' ? 'ok' : s.status === 'aborted' ? 'aborted' : 'failed',
            text: runCountsText({ ...s, critical: s.by_severity.critical })
          }
          void this.notifier.runFinished(s)
          this.refreshTray()
        } else if (event.type === 'runFailed') {
          this.lastRun = { at: new Date().toISOString(), status: 'failed', text: event.message }
          this.refreshTray()
        } else if (event.type === 'deliveryChanged' && event.new_notices.length) {
          this.notifier.deliveryNotices(event.new_notices)
        }
      },
      saveSettings: (next) => this.settings.update(next as Settings),
      onStateChange: () => this.refreshTray(),
      log
    })

    this.caseCounts = new TrayCaseCounts({
      fetch: () => this.engine.call('caseQueue', { view: 'mine', limit: 1 }),
      onChange: (cases) => {
        this.cases = cases
        this.refreshTray()
      }
    })

    // The author of a silence is reminded a day before it ends.
    this.silenceReminder = new TraySilenceReminder({
      fetch: () => this.engine.call('listSilences', {}),
      onChange: (silences) => {
        this.silences = silences
        this.refreshTray()
      }
    })

    let state: ScheduleState = initialScheduleState()
    const saved = scheduleStateSchema.safeParse(this.appState.get('schedule'))
    if (saved.success) state = saved.data
    const schedulerDeps = {
      runTriage: (trigger: RunTrigger, slot: string | null) => this.runTriage(trigger, slot),
      createCron: nodeCronTimer,
      now: () => new Date(),
      save: (s: ScheduleState) => this.appState.set('schedule', s),
      onChange: () => {
        this.engine.push({ type: 'schedule', schedule: this.scheduleInfo() })
        this.refreshTray()
      },
      log: (event: string, fields: Record<string, unknown>) => this.log.info(event, fields)
    }
    let scheduler: Scheduler
    try {
      scheduler = new Scheduler(this.settings.get().settings.schedule, state, schedulerDeps)
    } catch (e) {
      this.problems.push(`${(e as Error).message}; using ${DEFAULT_SCHEDULE} until it is fixed`)
      scheduler = new Scheduler(DEFAULT_SCHEDULE, state, schedulerDeps)
    }
    this.scheduler = scheduler

    this.notifier = new Notifier({
      icon: join(icons, 'icon.png'),
      call: (method, input) => this.engine.call(method, input),
      open: (target) => (target ? this.window.navigate(target) : this.window.show()),
      log
    })

    this.settings.onChange((loaded) => {
      this.engine.push({ type: 'settings', settings: this.settings.forEngine() })
      try {
        this.scheduler.setExpression(loaded.settings.schedule)
      } catch (e) {
        this.log.warn('schedule.invalid', { error: (e as Error).message })
      }
      this.applyLoginItem()
      this.applyUpdates()
      void this.caseCounts.refresh() // the workstation's officer may have changed
      void this.silenceReminder.refresh()
      this.refreshTray()
    })

    registerIpc({
      appOrigins: appOrigins({ devServer: this.devServer }),
      call: (method: Method, input: unknown) => this.engine.call(method, input),
      beginRun: () => this.scheduler.beginExternalRun(),
      window: () => this.window.browserWindow(),
      log
    })

    powerMonitor.on('resume', () => this.scheduler.checkMissed('machine resumed'))
    app.on('before-quit', (event) => this.beforeQuit(event))
  }

  async start(): Promise<void> {
    this.setApplicationMenu()
    this.tray = new TrayController(iconsDir(this.location), this.trayActions(), timeFormat, electronTrayDeps())
    this.refreshTray()
    // Spawned before the window opens, so the page's first calls already have an engine to wait for.
    const engineReady = this.engine.start()
    // A login start (--hidden, or macOS's login item) stays in the tray; the officer opens the window from there.
    const openedAtLogin = process.platform === 'darwin' && app.getLoginItemSettings().wasOpenedAtLogin
    if (!startsHidden(process.argv, openedAtLogin)) this.window.show()
    this.applyLoginItem()
    this.applyUpdates()
    if (process.env.TRIAGE_E2E === '1') this.exposeForE2e()
    for (const p of this.problems) this.notifier.message('Triage Desk settings', p)
    try {
      await engineReady
    } catch (e) {
      const message = (e as Error).message
      const hint = /NODE_MODULE_VERSION|better_sqlite3|better-sqlite3/i.test(message) ? `: ${nativeBindingHint(this.location)}` : ''
      this.log.error('engine.unavailable', { error: message })
      this.notifier.message('Triage Desk cannot open its database', `${message}${hint}`)
      this.refreshTray()
      return
    }
    const summary = await this.engine.call('summary', {})
    if (summary.ok) {
      const last = (summary.data as Summary).last_run
      if (last && !this.lastRun && last.status !== 'running')
        this.lastRun = {
          at: last.finished_at ?? last.started_at,
          status: last.status === 'ok' ? 'ok' : last.status === 'aborted' ? 'aborted' : 'failed',
          text: runCountsText({ ...last, critical: last.by_severity.critical })
        }
    }
    this.scheduler.start()
    void this.caseCounts.start()
    void this.silenceReminder.start()
    this.refreshTray()
  }

  /** Start at login (settings.start_at_login) as the system should have it: a login item, or the XDG autostart entry. */
  private applyLoginItem(): void {
    const plan = loginItemPlan({
      platform: process.platform,
      isPackaged: app.isPackaged,
      enabled: this.settings.get().settings.start_at_login,
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
          this.log.info('login_item.set', { open_at_login: update.openAtLogin })
        }
      } else if (plan.kind === 'xdg') {
        const done = applyXdgAutostart(plan)
        if (done !== 'unchanged') this.log.info(`login_item.${done}`, { path: plan.path })
      }
    } catch (e) {
      this.log.warn('login_item.failed', { error: (e as Error).message })
    }
  }

  /** Auto-update from settings.updates.feed_url (off while empty); restarted when the feed changes. */
  private applyUpdates(): void {
    const plan = updatePlan({ feedUrl: this.settings.get().settings.updates.feed_url, isPackaged: app.isPackaged })
    if (this.updates && this.updates.url === plan.url) return
    this.updates?.stop()
    const stop = startUpdates(electronUpdater.autoUpdater, plan, {
      log: (level, message) => this.log.log(level, 'updates', { message }),
      ready: (version) => this.notifier.message('Update ready', `Triage Desk ${version} has downloaded; it installs when you quit the app.`)
    })
    this.updates = { url: plan.url, stop }
  }

  /** Opens the window (a second launch, the Dock icon); not while quitting, when it would come back for a moment. */
  showWindow(): void {
    if (!this.quitting) this.window.show()
  }

  private setApplicationMenu(): void {
    const open = (path: string) => void shell.openPath(path).then((error) => error && this.log.warn('menu.open_failed', { path, error }))
    const readme = readmePath(this.location)
    app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() })
    const template = appMenuTemplate({
      appName: APP_NAME,
      version: app.getVersion(),
      platform: process.platform,
      screens: NAV,
      devTools: !app.isPackaged,
      actions: {
        openScreen: (screen) => this.window.navigate({ view: screen }),
        openReadme: readme ? () => open(readme) : null,
        openDataFolder: () => open(this.userData)
      }
    })
    Menu.setApplicationMenu(Menu.buildFromTemplate(template))
  }

  private openSettingsFile(): { file: SettingsFile; readOnlyReason?: string } {
    try {
      return { file: new ElectronStore<Record<string, unknown>>({ cwd: this.userData, name: 'config', clearInvalidConfig: false }) }
    } catch (e) {
      // Unreadable JSON: keep the officer's file untouched and run on defaults until it is fixed.
      const path = join(this.userData, 'config.json')
      return { file: { path, store: {} }, readOnlyReason: `${path} cannot be read (${(e as Error).message.split('\n')[0]})` }
    }
  }

  private forkEngine(): EngineChild {
    const child = utilityProcess.fork(join(__dirname, 'engine.js'), [], {
      serviceName: 'Triage Desk engine',
      stdio: app.isPackaged ? 'ignore' : 'inherit',
      env: { ...process.env, TRIAGE_ENGINE: '1' }
    })
    return {
      postMessage: (m) => child.postMessage(m),
      onMessage: (listener) => child.on('message', listener),
      onExit: (listener) => child.on('exit', listener),
      kill: () => void child.kill()
    }
  }

  private scheduleInfo() {
    const s = this.scheduler?.status()
    return { next_run_at: s?.nextRunAt ?? null, paused: s?.paused ?? false }
  }

  /** One inbox run for the schedule or the tray, through the engine (whose lock also guards imports). */
  private async runTriage(trigger: RunTrigger, slot: string | null): Promise<RunOutcome> {
    if (!this.settings.get().settings.inbox) {
      const text = 'no inbox folder is set: choose one in the app (Settings or first-launch setup)'
      this.lastRun = { at: new Date().toISOString(), status: 'failed', text }
      return { status: 'failed', text }
    }
    if (slot) {
      // Team mode: the engines sharing the trail run each slot once; a slot another engine claimed is skipped.
      // If the claim cannot be asked (database trouble), run anyway: dedup makes a second run harmless.
      const claim = await this.engine.call('claimScheduleSlot', { slot })
      if (claim.ok && !(claim.data as { claimed: boolean }).claimed) {
        const c = claim.data as { engine: string; claimed_at: string }
        const text = `the ${new Date(slot).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })} slot was run by ${c.engine} (another engine on this trail)`
        this.log.info('schedule.slot_skipped', { slot, engine: c.engine })
        return { status: 'ok', text }
      }
    }
    const reply = await this.engine.call('runNow', { trigger })
    if (reply.ok) {
      const s = (reply.data as ApiRunOutcome).summary
      return { status: s.status === 'ok' ? 'ok' : 'failed', text: runCountsText({ ...s, critical: s.by_severity.critical }) }
    }
    if (reply.error.code === 'busy') return { status: 'busy', text: reply.error.message }
    this.lastRun = { at: new Date().toISOString(), status: 'failed', text: reply.error.message }
    return { status: 'failed', text: reply.error.message }
  }

  private trayActions(): Record<TrayAction, () => void> {
    return {
      open: () => this.window.show(),
      'run-now': () => void this.manualRun(),
      'toggle-pause': () => (this.scheduler.status().paused ? this.scheduler.resume() : this.scheduler.pause()),
      'toggle-dry-run': () => void this.toggleDryRun(),
      'queue-mine': () => this.window.navigate({ view: 'queue', tab: 'mine' }),
      'queue-approval': () => this.window.navigate({ view: 'queue', tab: 'approval' }),
      'queue-overdue': () => this.window.navigate({ view: 'queue', tab: 'overdue' }),
      'queue-all': () => this.window.navigate({ view: 'queue', tab: 'all' }),
      'rules-silences': () => this.window.navigate({ view: 'rules', tab: 'silences' }),
      quit: () => app.quit()
    }
  }

  private async manualRun(): Promise<void> {
    const outcome = await this.scheduler.runNow()
    if (outcome.status === 'busy') this.notifier.message('Triage run not started', outcome.text)
    else if (outcome.status === 'failed') this.notifier.message('Triage run failed', outcome.text)
    else this.notifier.message('Triage run finished', outcome.text)
    this.refreshTray()
  }

  private async toggleDryRun(): Promise<void> {
    const current = this.settings.get().settings.dry_run
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
      if (r.response !== 1) return this.refreshTray()
    }
    try {
      this.settings.patch({ dry_run: !current })
      this.window.send({ type: 'settingsChanged', settings: redactSecrets(this.settings.get().settings) })
    } catch (e) {
      this.notifier.message('Dry-run not changed', (e as Error).message)
    }
    this.refreshTray()
  }

  private refreshTray(): void {
    const engine = this.engine?.status()
    this.tray?.update({
      schedule: this.scheduler.status(),
      dryRun: this.settings.get().settings.dry_run,
      lastRun: this.lastRun,
      engineProblem: engine?.problem ?? null,
      cases: this.cases,
      silences: this.silences
    })
  }

  private beforeQuit(event: Electron.Event): void {
    if (this.shutDown) return
    event.preventDefault()
    if (this.quitting) return
    if (this.scheduler.status().running) {
      const answer = dialog.showMessageBoxSync({
        type: 'question',
        title: 'Quit Triage Desk?',
        message: 'A triage run is in progress. Quit anyway?',
        detail: 'What it has recorded so far is kept; the rest of the inbox is read at the next run.',
        buttons: ['Keep running', 'Quit'],
        defaultId: 0,
        cancelId: 0
      })
      if (answer !== 1) return
    }
    this.quitting = true
    this.scheduler.stop()
    this.caseCounts.stop()
    this.silenceReminder.stop()
    void this.engine.stop().finally(() => {
      this.shutDown = true
      // The engine's exit and late answers still call refreshTray after this: a destroyed TrayController ignores them.
      this.tray?.destroy()
      app.quit()
    })
  }

  /** For e2e/electron.spec.ts only (TRIAGE_E2E=1): the tray menu cannot be clicked from Playwright. */
  private exposeForE2e(): void {
    const actions = this.trayActions()
    Object.assign(globalThis, {
      __triageDesk: {
        tray: () => this.tray?.current() ?? null,
        click: (id: TrayAction) => actions[id](),
        windowVisible: () => this.window.isVisible(),
        notifications: () => this.notifier.shown,
        schedule: () => this.scheduler.status(),
        engine: () => this.engine.status(),
        settings: () => redactSecrets(this.settings.get().settings)
      }
    })
  }
}
