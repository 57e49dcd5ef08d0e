// The API handlers: one function per contract method, shared by both transports (IPC in the Electron
// utilityProcess, HTTP in `triage serve`). Inputs are validated here, on arrival; errors come back as a Reply.
//
// Runs never overlap: the handlers hold one run lock for inbox runs, imports and the sample load. A second
// run asked for while one is in progress is REFUSED at once with code "busy" and a message saying what is
// running (the Electron schedule queues its slot instead; a person sees the message and tries again).
import { hostname } from 'node:os'
import { isAbsolute, join, resolve } from 'node:path'
import { resourcesDir, type LoadedSettings, type Settings } from '../core/config/index.js'
import { silentLogger, type Logger } from '../core/log.js'
import { explicitFiles, pendingInboxFiles } from '../core/run.js'
import type { Trail } from '../core/ports/trail.js'
import { buildSources, type LiveSource, type TestableSource } from '../core/sources/index.js'
import { api, isMethod, type ApiEvent, type Input, type Method, type Output, type ParsedInput, type Reply } from './contract.js'
import { ApiError, describeZodError, toApiError } from './errors.js'
import { createReportHandlers } from './reports.js'
import { createSettingsHandlers } from './settings-handlers.js'
import { quarantineDetail } from './quarantine-view.js'
import { createCaseHandlers } from './cases.js'
import { validateImport, withCsvMapping } from './import-check.js'
import { createGovernanceHandlers, type GovernanceContext } from './governance.js'
import { createAlertDetailReader } from './alert-detail.js'
import { casePolicy } from '../core/case/policy.js'
import { createDeliveryService, osUser, type DeliveryService, type DeliveryServiceContext } from './deliveries.js'
import { previewFile } from './file-preview.js'
import type { HandlerState } from './handler-state.js'
import { health } from './run-health.js'
import { createRuns } from './runs.js'
import { createSearchIndexer } from './search-indexing.js'
import { createWatching } from './watching.js'

export interface SettingsProvider {
  /** The current settings, secrets included (the engine needs them), and the folder relative paths resolve from. */
  get(): LoadedSettings | Promise<LoadedSettings>
  /** Persists settings already validated against settingsSchema (the Electron shell encrypts the secret paths). */
  update(next: Settings): void | Promise<void>
  /** false: the UI shows settings read-only (e.g. `triage serve --config file.yaml`). */
  readonly writable: boolean
  /** false: secrets cannot be stored here (headless mode has no OS keychain); default true. */
  readonly secretsWritable?: boolean
}

export interface HandlerContext {
  /** The trail the handlers serve (SQLite or PostgreSQL: see store/open.ts); its owner closes it. */
  trail: Trail
  settings: SettingsProvider
  emit(event: ApiEvent): void
  /** ISO time of the next scheduled run (the host owns the schedule); absent in headless mode. */
  nextRunAt?(): string | null
  schedulePaused?(): boolean
  logger?: Logger
  /** Where reports and examiner packs are written (default <app data>/exports); the HTTP download serves only from here. */
  exportsDir?: string
  /** Delivery tuning (tests shorten the failure notice's pauses; the app records its OS account as "by"). */
  delivery?: Pick<DeliveryServiceContext, 'watchMs' | 'failureRetryDelayMs' | 'defaultBy'>
  /**
   * Triage arrivals as they come (`triage serve --watch`, the desktop app's engine): the settings' inbox folder and
   * live sources, each arrival a run with trigger "watch", queued behind any other run (never refused).
   */
  watch?: boolean
  /** Runs a backtest off the API's event loop (hosts pass a worker thread: core/backtest); default: in this thread. */
  backtest?: GovernanceContext['backtest']
  /** How long a source may fail before the failure notice, and how often that is checked (tests shorten them). */
  sourceNotice?: { afterMs?: number; checkMs?: number }
}

export interface Handlers {
  /** Validates and runs one method; never throws: errors come back as { ok: false, error }. */
  call(method: string, input: unknown): Promise<Reply>
  /** Typed direct call for in-process hosts; throws ApiError on failure. */
  invoke<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>
  /** Whether a run (inbox run, import or sample load) is in progress. */
  isRunning(): boolean
  /** Stops background work (search indexing). The store stays open: its owner closes it. */
  close(): void
  /** The folder exports are written to (absolute). */
  readonly exportsDir?: string
  /** The background delivery of the outbox: kick it (dry-run switched off), or wait until it is idle. */
  readonly deliveries?: Pick<DeliveryService, 'kick' | 'idle'>
}

type Impl = { [M in Method]: (input: ParsedInput<M>) => Promise<Output<M>> | Output<M> }

export function createHandlers(ctx: HandlerContext): Handlers {
  const { trail } = ctx
  const { store, queries } = trail
  const log = ctx.logger ?? silentLogger
  const state: HandlerState = { running: null, closed: false }
  const reports = createReportHandlers({
    trail,
    emit: ctx.emit,
    exportsDir: ctx.exportsDir,
    organisation: async () => (await current()).settings.organisation,
    casePolicy: async () => {
      const { settings } = await current()
      return casePolicy(settings.cases, settings.officers)
    }
  })
  const cases = createCaseHandlers({ trail, settings: () => current(), emit: ctx.emit, osUser: () => ctx.delivery?.defaultBy ?? osUser() })
  const governance = createGovernanceHandlers({
    trail,
    settings: () => current(),
    emit: ctx.emit,
    osUser: () => ctx.delivery?.defaultBy ?? osUser(),
    ...(ctx.backtest ? { backtest: ctx.backtest } : {})
  })
  const alertDetails = createAlertDetailReader(trail)
  const deliveries = createDeliveryService({ trail, settings: () => current(), emit: ctx.emit, logger: log, ...ctx.delivery })

  const { indexInBackground, close: stopIndexing } = createSearchIndexer({ queries, emit: ctx.emit, log, state })

  async function current(): Promise<LoadedSettings> {
    return await ctx.settings.get()
  }

  const settingsHandlers = createSettingsHandlers({ settings: ctx.settings, emit: ctx.emit, trail })
  const rememberMapping = settingsHandlers.rememberMapping

  const runs = createRuns({
    trail,
    state,
    current,
    emit: ctx.emit,
    log,
    deliveries,
    indexInBackground,
    osUser: () => ctx.delivery?.defaultBy ?? osUser()
  })
  const withRun = runs.withRun

  const watching = createWatching({ trail, state, current, emit: ctx.emit, log, deliveries, indexInBackground, sourceNotice: ctx.sourceNotice })
  if (ctx.watch) void watching.start().catch((e: unknown) => log.error('watch.start_failed', { error: (e as Error).message }))

  const impl: Impl = {
    async summary() {
      const loaded = await current()
      const d = await queries.dashboard(new Date())
      return {
        dry_run: loaded.settings.dry_run,
        organisation: loaded.settings.organisation,
        empty: d.runs === 0,
        today: d.today,
        last_7_days: d.last_7_days,
        today_dated_today: d.today_dated_today,
        breaches: d.breaches,
        total_entries: d.total_entries,
        quarantined_total: d.quarantined_total,
        quarantine_open: d.quarantine_open,
        last_run: d.last_run,
        next_run_at: ctx.nextRunAt?.() ?? null,
        schedule: { expression: loaded.settings.schedule, paused: ctx.schedulePaused?.() ?? false },
        health: await health(ctx, loaded, d.last_success_at, d.runs, d.last_run),
        running: state.running ? { ...state.running } : null,
        inbox: loaded.settings.inbox
      }
    },

    listRuns: (i) => queries.listRuns(i.limit, i.before_id),

    async testSource(i) {
      const loaded = await current()
      const all = await buildSources(loaded.settings, { log })
      const s = all.find((x) => x.id === i.source)
      if (!s) throw new ApiError('not_found', `no source ${i.source} in the settings (sources: ${all.map((x) => x.id).join(', ') || 'none'})`)
      if (!('test' in s)) throw new ApiError('user_error', `${i.source} cannot be tested from here`)
      const ac = new AbortController()
      const t = setTimeout(() => ac.abort(), 20_000)
      try {
        return await (s as LiveSource & TestableSource).test(ac.signal)
      } finally {
        clearTimeout(t)
      }
    },

    sourceStatus: () => watching.sourceStatus(),

    async claimScheduleSlot(i) {
      // A slot this engine claimed already is still its own (the run was refused as busy and is tried again).
      const me = `${hostname()}:${process.pid}`
      const r = await store.claimScheduleSlot(new Date(i.slot).toISOString(), me, new Date().toISOString())
      return { ...r, claimed: r.claimed || r.engine === me }
    },

    runNow: (i) =>
      withRun(i.trigger, async (loaded) => {
        if (!loaded.settings.inbox) throw new ApiError('user_error', 'no inbox folder is set: choose one in Settings')
        const inbox = isAbsolute(loaded.settings.inbox) ? loaded.settings.inbox : resolve(loaded.baseDir, loaded.settings.inbox)
        return pendingInboxFiles(store, inbox)
      }),

    async importFiles(i) {
      if (i.remember_mapping && i.csv_mapping) await rememberMapping(i.csv_mapping)
      return withRun(
        'import',
        async () => explicitFiles(i.paths),
        (s) => withCsvMapping(s, i.csv_mapping)
      )
    },

    async validateImport(i) {
      return validateImport(trail, await current(), i.paths, i.csv_mapping)
    },

    previewFile: (i) => previewFile(i, current),

    async queryAudit(i) {
      const page = await queries.queryAudit(i)
      if (page.search_pending > 0) indexInBackground()
      return page
    },

    async auditFacets() {
      const f = await queries.facets()
      const loaded = await current()
      const routed = Object.values(loaded.settings.routing).flat()
      return { ...f, destinations: [...new Set([...f.destinations, ...routed])].sort() }
    },

    async getAlert(i) {
      const a = await queries.getAlert(i.id)
      if (!a) throw new ApiError('not_found', `audit entry ${i.id} does not exist`)
      // With the rule evidence (against the rule set the entry recorded) and the raw source laid out for reading.
      return alertDetails.explain(a, await current())
    },

    listQuarantine: (i) => queries.listQuarantine({ runId: i.run_id, beforeId: i.before_id, status: i.status, limit: i.limit }),

    async getQuarantine(i) {
      const q = await store.quarantineRecord(i.id)
      if (!q) throw new ApiError('not_found', `quarantine record ${i.id} does not exist`)
      return quarantineDetail(q)
    },

    resolveQuarantine: (i) => runs.resolveQuarantine(i),

    getSettings: () => settingsHandlers.getSettings(),
    updateSettings: (i) => settingsHandlers.updateSettings(i),

    loadSampleData: () =>
      withRun('sample', async () => {
        const inbox = join(resourcesDir(), 'sample-data', 'inbox')
        return (await pendingInboxFiles(store, inbox)).map((f) => ({ ...f, track: false }))
      }),

    async totals() {
      const t = await store.totals()
      return { received: t.received, triaged: t.triaged, duplicates: t.duplicates, quarantined: t.quarantined, by_severity: t.by_severity }
    },

    async verifyChain() {
      const r = await store.verify()
      return {
        ok: r.ok,
        entries: r.entries,
        head_hash: r.head.last_hash,
        first_bad_entry: r.problem?.id ?? null,
        problem: r.problem?.problem ?? null,
        accounting: r.accounting.problems
      }
    },

    rulesOverview: () => governance.rulesOverview(),
    getRuleSet: (i) => governance.getRuleSet(i),
    activeRules: () => governance.activeRules(),
    validateRules: (i) => governance.validateRules(i),
    draftRules: (i) => governance.draftRules(i),
    tryRules: (i) => governance.tryRules(i),
    backtestRules: (i) => governance.backtestRules(i),
    approveRules: (i) => governance.approveRules(i),
    rejectRules: (i) => governance.rejectRules(i),
    activateRules: (i) => governance.activateRules(i),
    listSilences: (i) => governance.listSilences(i),
    addSilence: (i) => governance.addSilence(i),
    approveSilence: (i) => governance.approveSilence(i),
    expireSilence: (i) => governance.expireSilence(i),
    caseQueue: (i) => cases.caseQueue(i),
    getCase: (i) => cases.getCase(i),
    caseAction: (i) => cases.caseAction(i),
    slaReport: (i) => reports.slaReport(i),
    exportReport: (i) => reports.exportReport(i),
    exportPack: (i) => reports.exportPack(i),

    deliveryStatus: (i) => deliveries.status(i.limit),
    acknowledgeNotice: (i) => deliveries.acknowledge(i.id, i.by),
    resolveUncertain: (i) => deliveries.resolve(i.alert_id, i.destination, i.decision, i.by)
  }

  async function call(method: string, input: unknown): Promise<Reply> {
    if (!isMethod(method)) return { ok: false, error: { code: 'invalid_input', message: `unknown method ${JSON.stringify(method)}` } }
    const parsed = api[method].input.safeParse(input ?? {})
    if (!parsed.success) return { ok: false, error: { code: 'invalid_input', message: describeZodError(method, parsed.error) } }
    try {
      const fn = impl[method] as (i: unknown) => unknown
      return { ok: true, data: await fn(parsed.data) }
    } catch (e) {
      const error = toApiError(e)
      if (error.code === 'internal') log.error('api.failed', { method, error: (e as Error).message, stack: (e as Error).stack })
      return { ok: false, error: error.toBody() }
    }
  }

  indexInBackground() // entries imported by the CLI while the app was closed
  return {
    call,
    async invoke(method, input) {
      const r = await call(method, input)
      if (!r.ok) throw new ApiError(r.error.code, r.error.message)
      return r.data as never
    },
    isRunning: () => state.running !== null,
    exportsDir: reports.exportsDir,
    deliveries: { kick: deliveries.kick, idle: deliveries.idle },
    close() {
      state.closed = true
      watching.close()
      deliveries.close()
      stopIndexing()
    }
  }
}
