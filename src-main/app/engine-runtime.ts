// The engine side of the utilityProcess: opens the trail (store/open.ts: SQLite or PostgreSQL), hosts the API handlers, and answers the main
// process. Electron-free (the entry, engine-process.ts, adapts process.parentPort), so the same code runs in a
// plain Node child process in the tests.
import { runBacktestInWorker } from '../store/backtest-thread.js'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { ConfigError, parseSettings, type LoadedSettings } from '../core/config/index.js'
import { createLogger, silentLogger, type Logger } from '../core/log.js'
import type { Trail } from '../core/ports/trail.js'
import { openTrail, redactDatabaseUrl, trailOptionsOf } from '../store/open.js'
import { createHandlers, type Handlers, type SettingsProvider } from '../api/handlers.js'
import { describeInvalid, toEngineSchema, type FromEngine, type ScheduleInfo, type ToEngine } from './engine-protocol.js'

export interface EnginePort {
  onMessage(listener: (data: unknown) => void): void
  post(message: FromEngine): void
  exit(code: number): void
}

type Init = Extract<ToEngine, { type: 'init' }>

export function runEngine(port: EnginePort): void {
  let log: Logger = silentLogger
  let trail: Trail | null = null
  let handlers: Handlers | null = null
  let loaded: LoadedSettings & { writable: boolean }
  let schedule: ScheduleInfo = { next_run_at: null, paused: false }
  const saves = new Map<number, { resolve: () => void; reject: (e: Error) => void }>()
  let saveId = 0
  /** null while starting; the reason when the database could not be opened */
  let failed: string | null = null
  const early: ToEngine[] = []

  const toLoaded = (s: Init['settings']) => ({
    // main validated these already; parsing again keeps the engine honest about its own input
    settings: parseSettings(s.settings, s.source),
    baseDir: s.baseDir,
    source: s.source,
    writable: s.writable
  })

  const provider: SettingsProvider = {
    get: () => loaded,
    update: (next) =>
      new Promise<void>((resolve, reject) => {
        const id = ++saveId
        saves.set(id, { resolve, reject })
        port.post({ type: 'saveSettings', id, settings: next as Record<string, unknown> })
      }),
    // Secrets are always accepted here: main refuses them, saying why, when no keychain can encrypt them.
    get writable() {
      return loaded.writable
    }
  }

  let starting = false

  async function init(m: Init): Promise<void> {
    starting = true
    let database = m.dbPath
    if (m.logFile) {
      mkdirSync(dirname(m.logFile), { recursive: true })
      log = createLogger({ file: m.logFile, level: 'info' })
    }
    try {
      loaded = toLoaded(m.settings)
      schedule = m.schedule
      // The settings' database (a team's PostgreSQL trail, or another SQLite file) or the app's own triage.db.
      database = loaded.settings.database.url || m.dbPath
      const options = { ...trailOptionsOf(loaded.settings.database), ...(m.nativeBinding ? { nativeBinding: m.nativeBinding } : {}) }
      trail = await openTrail(database, options)
      const at = database
      handlers = createHandlers({
        // Backtests in a worker thread of this process, on a read-only connection of their own.
        backtest: (input) => runBacktestInWorker(at, { ...options, readonly: true }, input),
        trail,
        settings: provider,
        emit: (event) => port.post({ type: 'event', event }),
        nextRunAt: () => (schedule.paused ? null : schedule.next_run_at),
        schedulePaused: () => schedule.paused,
        logger: log,
        // The app watches the inbox folder and the live sources; the schedule stays as the safety net.
        watch: true
      })
    } catch (e) {
      const raw = (e as Error).message
      const where = redactDatabaseUrl(database)
      const message = raw.includes(where) && raw.startsWith('cannot open') ? raw : `cannot open the database ${where}: ${raw}`
      log.error('engine.start_failed', { error: message })
      await trail?.close().catch(() => {})
      trail = null
      failed = message
      port.post({ type: 'fatal', message })
      for (const m of early.splice(0)) handle(m)
      return
    }
    log.info('engine.ready', { db: trail.location, pid: process.pid })
    port.post({ type: 'ready' })
    for (const m of early.splice(0)) handle(m)
  }

  function handle(m: ToEngine): void {
    switch (m.type) {
      case 'init':
        if (!handlers && failed === null && !starting) void init(m)
        return
      case 'settings':
        loaded = toLoaded(m.settings)
        handlers?.deliveries?.kick('settings') // dry-run switched off (tray): send what waits now; a no-op in dry-run
        return
      case 'schedule':
        schedule = m.schedule
        return
      case 'settingsSaved': {
        const p = saves.get(m.id)
        saves.delete(m.id)
        // main refuses a change for reasons the officer can fix (invalid schedule, no keychain): a user error
        if (m.error === null) p?.resolve()
        else p?.reject(new ConfigError(m.error))
        return
      }
      case 'call': {
        if (!handlers) {
          const message = `the database could not be opened: ${failed ?? 'the engine has not started'}`
          port.post({ type: 'reply', id: m.id, reply: { ok: false, error: { code: 'internal', message } } })
          return
        }
        handlers.call(m.method, m.input).then(
          (reply) => port.post({ type: 'reply', id: m.id, reply }),
          (e: Error) => port.post({ type: 'reply', id: m.id, reply: { ok: false, error: { code: 'internal', message: e.message } } })
        )
        return
      }
      case 'shutdown': {
        // A message already on its way to Slack or SMTP gets a moment to record its result; otherwise the next
        // start records it as uncertain (never resent on a guess). Main kills the engine after 5 s anyway.
        const h = handlers
        h?.close()
        const settled = h?.deliveries ? Promise.race([h.deliveries.idle(), new Promise((r) => setTimeout(r, 3000))]) : Promise.resolve()
        void settled.finally(() => {
          void Promise.resolve(trail?.close())
            .catch(() => {})
            .finally(() => {
              log.info('engine.closed', {})
              port.post({ type: 'closed' })
              port.exit(0)
            })
        })
        return
      }
    }
  }

  port.onMessage((data) => {
    const parsed = toEngineSchema.safeParse(data)
    if (!parsed.success) {
      log.warn('engine.message_invalid', { problem: describeInvalid(parsed.error) })
      return
    }
    const m = parsed.data
    // Messages that arrive before init (main sends init first, but be sure) wait for it.
    if (!handlers && failed === null && m.type !== 'init' && m.type !== 'shutdown') {
      if (early.length < 1000) early.push(m)
      return
    }
    handle(m)
  })
}
