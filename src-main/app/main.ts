// The Electron main process: a thin shell. It owns the window, the tray, the schedule, notifications and the
// settings file; the engine (store + API handlers) runs in a utilityProcess and main only relays messages.
import { app, dialog, powerMonitor, safeStorage, session, utilityProcess } from 'electron'
import ElectronStore from 'electron-store'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'
import type { Method, Summary } from '../api/contract.js'
import { redactSecrets } from '../api/secrets.js'
import { appDataDir, type Settings } from '../core/config/index.js'
import { createLogger, type Logger } from '../core/log.js'
import { setApplicationMenu } from './app-menu-electron.js'
import { APP_ORIGIN, appOrigins } from './csp.js'
import { EngineHost, type EngineChild } from './engine-host.js'
import { registerIpc } from './ipc.js'
import { startsHidden } from './login-item.js'
import { applyLoginItem } from './login-item-electron.js'
import { Notifier } from './notify.js'
import { iconsDir, nativeBindingHint, nativeBindingPath, type AppLocation } from './paths.js'
import { initialScheduleState, nodeCronTimer, Scheduler, type RunOutcome, type RunTrigger, type ScheduleState } from './schedule.js'
import { hardenSession, lockDownWebContents, registerAppScheme, serveRenderer } from './security.js'
import { DesktopSettings, safeStorageCodec, type SettingsFile } from './settings-store.js'
import { TrayController } from './tray.js'
import { electronTrayDeps } from './tray-electron.js'
import { affectsCaseCounts, TrayCaseCounts } from './tray-cases.js'
import { affectsSilences, TraySilenceReminder } from './tray-silences.js'
import { trayActions } from './tray-actions.js'
import { runTriage } from './triage-run.js'
import { runCountsText, type TrayAction, type TrayCases, type TrayLastRun, type TraySilences } from './tray-menu.js'
import { AutoUpdates } from './updates-electron.js'
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
  private readonly updates: AutoUpdates

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

    this.updates = new AutoUpdates(this.log, (version) =>
      this.notifier.message('Update ready', `Triage Desk ${version} has downloaded; it installs when you quit the app.`)
    )

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
    setApplicationMenu({ location: this.location, userData: this.userData, window: this.window, log: this.log })
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

  private applyLoginItem(): void {
    applyLoginItem(this.settings.get().settings.start_at_login, this.log)
  }

  private applyUpdates(): void {
    this.updates.apply(this.settings.get().settings.updates.feed_url)
  }

  /** Opens the window (a second launch, the Dock icon); not while quitting, when it would come back for a moment. */
  showWindow(): void {
    if (!this.quitting) this.window.show()
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

  /** One inbox run for the schedule or the tray, through the engine (triage-run.ts). */
  private async runTriage(trigger: RunTrigger, slot: string | null): Promise<RunOutcome> {
    const failed = (text: string) => {
      this.lastRun = { at: new Date().toISOString(), status: 'failed', text }
    }
    return runTriage({ inbox: this.settings.get().settings.inbox, engine: this.engine, log: this.log, failed }, trigger, slot)
  }

  private trayActions(): Record<TrayAction, () => void> {
    return trayActions({
      window: this.window,
      scheduler: this.scheduler,
      settings: this.settings,
      notifier: this.notifier,
      refreshTray: () => this.refreshTray()
    })
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
