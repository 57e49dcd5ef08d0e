// The API handlers: one function per contract method, shared by both transports (IPC in the Electron
// utilityProcess, HTTP in `triage serve`). Inputs are validated here, on arrival; errors come back as a Reply.
//
// Runs never overlap: the handlers hold one run lock for inbox runs, imports and the sample load. A second
// run asked for while one is in progress is REFUSED at once with code "busy" and a message saying what is
// running (the Electron schedule queues its slot instead; a person sees the message and tries again).
import { statSync } from 'node:fs'
import { hostname } from 'node:os'
import { basename, isAbsolute, join, resolve } from 'node:path'
import cron from 'node-cron'
import { resourcesDir, type LoadedSettings, type Settings } from '../core/config/index.js'
import { detectFormat, FileTap, planHeader, previewCsv, readSource, SUPPORTED_EXTENSIONS } from '../core/ingest/index.js'
import { silentLogger, type Logger } from '../core/log.js'
import { executeRun, explicitFiles, pendingInboxFiles, type RunSummary } from '../core/run.js'
import type { Trail } from '../core/ports/trail.js'
import { watchSources } from '../core/watch.js'
import { buildSources, type LiveSource, type SourceState, type TestableSource } from '../core/sources/index.js'
import {
  api,
  isMethod,
  TRANSACTION_FIELDS,
  type ApiEvent,
  type Input,
  type Method,
  type Output,
  type ParsedInput,
  type Reply,
  type RunOutcome
} from './contract.js'
import { ApiError, describeZodError } from './errors.js'
import { estimateRecords } from './estimate.js'
import { createReportHandlers } from './reports.js'
import { createSettingsHandlers } from './settings-handlers.js'
import { quarantineDetail } from './quarantine-view.js'
import { createCaseHandlers } from './cases.js'
import { validateImport, withCsvMapping } from './import-check.js'
import { suggestMapping } from '../core/ingest/header-synonyms.js'
import { createGovernanceHandlers, type GovernanceContext } from './governance.js'
import { createAlertDetailReader } from './alert-detail.js'
import { governedRun } from '../core/governance/runtime.js'
import { casePolicy } from '../core/case/policy.js'
import { createDeliveryService, osUser, type DeliveryService, type DeliveryServiceContext } from './deliveries.js'
import { resolveQuarantine, ResolutionError } from '../core/quarantine/index.js'
import { TriageError } from '../core/errors.js'

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

const PROGRESS_EVERY_MS = 150
/** A live source failing this long raises the failure notice (banner, tray, e-mail to the leads). */
const SOURCE_FAILING_NOTICE_MS = 5 * 60_000
const NEW_CRITICAL_SHOWN = 100

/** The longest gap between the next few slots of a cron expression (a weekday schedule spans the weekend). */
function schedulePeriodMs(expression: string): number | null {
  if (!cron.validate(expression)) return null
  const task = cron.createTask(expression, () => {})
  try {
    const next = task.getNextRuns(8).map((d) => d.getTime())
    let gap = 0
    for (let i = 1; i < next.length; i++) gap = Math.max(gap, next[i]! - next[i - 1]!)
    return gap || null
  } finally {
    void task.destroy()
  }
}

const humanDuration = (ms: number) =>
  ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 172_800_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 86_400_000)} days`

export function createHandlers(ctx: HandlerContext): Handlers {
  const { trail } = ctx
  const { store, queries } = trail
  const log = ctx.logger ?? silentLogger
  let running: { trigger: string; started_at: string; files: string[] } | null = null
  let indexTimer: NodeJS.Immediate | null = null
  let closed = false
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

  // ── background indexing of new audit entries for the browser (never on the import path) ────────────────
  let lastIndexEvent = 0
  function indexInBackground(): void {
    if (indexTimer || closed) return
    const tick = async () => {
      if (closed || running) {
        indexTimer = null
        return // resumed when the run ends
      }
      try {
        const p = await queries.catchUp(2_000) // ~0.1 s per tick: API requests are answered between ticks
        const now = Date.now()
        if (p.pending === 0 || now - lastIndexEvent > 500) {
          lastIndexEvent = now
          ctx.emit({ type: 'searchIndex', indexed_upto: p.indexed_upto, pending: p.pending })
        }
        indexTimer = null
        if (p.pending > 0 && !closed) indexTimer = setImmediate(() => void tick())
      } catch (e) {
        indexTimer = null
        if (!closed) log.warn('search_index.failed', { error: (e as Error).message })
      }
    }
    indexTimer = setImmediate(() => void tick())
  }

  async function current(): Promise<LoadedSettings> {
    return await ctx.settings.get()
  }

  const settingsHandlers = createSettingsHandlers({ settings: ctx.settings, emit: ctx.emit, trail })
  const rememberMapping = settingsHandlers.rememberMapping

  /** Runs the pipeline under the run lock, with progress events; every run path goes through here. */
  async function withRun(
    trigger: string,
    plan: (loaded: LoadedSettings) => Promise<Array<{ path: string; displayName: string; track: boolean }>>,
    override?: (s: Settings) => Settings
  ): Promise<RunOutcome> {
    if (running) {
      const at = new Date(running.started_at).toLocaleTimeString('en-GB')
      throw new ApiError('busy', `a run is already in progress (${running.trigger}, started ${at}); wait for it to finish, then try again`)
    }
    running = { trigger, started_at: new Date().toISOString(), files: [] }
    let failedRunId: number | null = null
    try {
      const loaded = await current()
      const settings = override ? override(loaded.settings) : loaded.settings
      const { ruleSet, silences } = await governedRun(trail.governance, loaded)
      let files: Awaited<ReturnType<typeof plan>>
      try {
        files = await plan(loaded)
      } catch (e) {
        // A run that cannot start (no inbox folder, a missing file) is a failed run all the same: recorded with its
        // error so Runs lists it and Health says the last run failed (a refusal as busy never gets here).
        const runId = await store.startRun({ trigger, dryRun: settings.dry_run, ruleSet })
        await store.finishRun(runId, 'failed', [messageOf(e)], [])
        failedRunId = runId
        throw e
      }
      running.files = files.map((f) => f.displayName)
      ctx.emit({ type: 'runStarted', trigger, started_at: running.started_at, files: running.files })

      // Progress as a fraction of all bytes: finished files count whole, the current one by estimated records.
      const sizes = files.map((f) => statSync(f.path).size)
      const totalBytes = sizes.reduce((a, b) => a + b, 0)
      const estimates = files.map((f) => estimateRecords(f.path, detectFormat(f.path)!))
      let fileIndex = 0
      let doneBytes = 0
      let lastEmit = 0
      const summary: RunSummary = await executeRun(
        {
          store,
          settings,
          ruleSet,
          silences,
          trigger,
          logger: log,
          onProgress: (p) => {
            while (fileIndex < files.length - 1 && files[fileIndex]!.displayName !== p.file) doneBytes += sizes[fileIndex++]!
            const now = Date.now()
            if (now - lastEmit < PROGRESS_EVERY_MS) return
            lastEmit = now
            const est = estimates[fileIndex]
            const within = est ? Math.min(1, p.records / est) : 0
            const fraction = totalBytes > 0 ? Math.min(0.99, (doneBytes + within * sizes[fileIndex]!) / totalBytes) : null
            const c = p.counts
            ctx.emit({
              type: 'importProgress',
              trigger,
              file: p.file,
              file_index: fileIndex,
              file_count: files.length,
              records: p.records,
              fraction,
              counts: { received: c.received, triaged: c.triaged, duplicates: c.duplicates, quarantined: c.quarantined }
            })
          }
        },
        files
      )
      const result = resultOf(summary, trigger)
      const q = await queries.listQuarantine({ runId: summary.run_id, limit: 100 })
      running = null
      ctx.emit({ type: 'runFinished', summary: result })
      deliveries.afterRun(trigger, summary) // failure notice, then the outbox drained in the background (live only)
      return { summary: result, quarantine: { items: q.items, total: q.total } }
    } catch (e) {
      if (running) ctx.emit({ type: 'runFailed', trigger, message: messageOf(e), run_id: failedRunId })
      deliveries.runFailed(trigger, messageOf(e))
      throw e
    } finally {
      running = null
      indexInBackground()
    }
  }

  // ── watching: the inbox folder and live sources, each arrival a run queued behind any other ────────────────
  let watching: AbortController | null = null
  const sourceStates = new Map<string, SourceState>()
  /** Sources already told about (failure notice) for their current failing spell. */
  const told = new Set<string>()
  const failingCheck = setInterval(() => {
    const now = Date.now()
    for (const [id, s] of sourceStates) {
      if (s.status !== 'failing') {
        told.delete(id)
        continue
      }
      if (told.has(id) || now - Date.parse(s.since) < (ctx.sourceNotice?.afterMs ?? SOURCE_FAILING_NOTICE_MS)) continue
      told.add(id)
      log.warn('source.failing_notice', { source: id, since: s.since, error: s.last_error })
      deliveries.sourceFailing(id, `failing since ${s.since}: ${s.last_error ?? 'no answer'}`)
    }
  }, ctx.sourceNotice?.checkMs ?? 15_000)
  failingCheck.unref()
  async function startWatching(): Promise<void> {
    const loaded = await current()
    const inbox = loaded.settings.inbox && loaded.settings.watch.inbox ? resolve(loaded.baseDir, loaded.settings.inbox) : undefined
    const sources = await buildSources(loaded.settings, { log })
    if (!inbox && !sources.length) return
    if (closed) return // closed while the settings were read
    watching = new AbortController()
    let settings = loaded.settings
    let governed = await governedRun(trail.governance, loaded)
    const done = watchSources({
      store,
      logger: log,
      inbox,
      sources,
      signal: watching.signal,
      settings: () => settings,
      ruleSet: () => governed.ruleSet,
      silences: () => governed.silences,
      onState: (id, state) => {
        sourceStates.set(id, state)
        ctx.emit({ type: 'sourceChanged', source: id, ...state })
      },
      // Queued behind an import, an inbox run or a correction: never refused, never overlapping.
      exclusive: async (fn) => {
        while (running && !closed) await new Promise((r) => setTimeout(r, 25))
        if (closed) throw new Error('the engine is closing')
        const mine = { trigger: 'watch', started_at: new Date().toISOString(), files: [] }
        running = mine
        try {
          const l = await current()
          settings = l.settings
          governed = await governedRun(trail.governance, l)
          return await fn()
        } finally {
          if (running === mine) running = null
          indexInBackground()
        }
      },
      afterRun: (summary) => {
        ctx.emit({ type: 'runFinished', summary: resultOf(summary, 'watch') })
        deliveries.afterRun('watch', summary)
      }
    })
    done.catch((e: unknown) => log.error('watch.failed', { error: (e as Error).message }))
  }
  if (ctx.watch) void startWatching().catch((e: unknown) => log.error('watch.start_failed', { error: (e as Error).message }))

  async function health(
    loaded: LoadedSettings,
    lastSuccessAt: string | null,
    runs: number,
    last: Output<'summary'>['last_run']
  ): Promise<Output<'summary'>['health']> {
    if (runs === 0) return { status: 'idle', message: 'No run yet.', last_success_at: null }
    if (last && (last.status === 'failed' || last.status === 'aborted')) {
      const why = last.errors.length ? `: ${last.errors[0]}${last.errors.length > 1 ? ` (and ${last.errors.length - 1} more)` : ''}` : '.'
      return { status: 'failed', message: `The last run (#${last.id}, ${last.trigger}) ${last.status}${why}`, last_success_at: lastSuccessAt }
    }
    const period = schedulePeriodMs(loaded.settings.schedule)
    const paused = ctx.schedulePaused?.() ?? false
    if (!lastSuccessAt) return { status: 'warn', message: 'No run has finished successfully yet.', last_success_at: null }
    const age = Date.now() - Date.parse(lastSuccessAt)
    if (period && age > 2 * period) {
      const why = paused ? ' The schedule is paused.' : ctx.nextRunAt ? '' : ' Headless mode: runs happen only when started.'
      return {
        status: 'warn',
        message: `No successful run for ${humanDuration(age)}: more than two schedule periods (${humanDuration(period)} each).${why}`,
        last_success_at: lastSuccessAt
      }
    }
    return {
      status: 'ok',
      message: age < 60_000 ? 'Last successful run just now.' : `Last successful run ${humanDuration(age)} ago.`,
      last_success_at: lastSuccessAt
    }
  }

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
        health: await health(loaded, d.last_success_at, d.runs, d.last_run),
        running: running ? { ...running } : null,
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

    sourceStatus: () => ({
      watching: watching !== null && !watching.signal.aborted,
      sources: [...sourceStates].map(([source, s]) => ({ source, ...s }))
    }),

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

    async previewFile(i) {
      const path = resolve(i.path)
      const format = detectFormat(path)
      if (!format) throw new ApiError('user_error', `${basename(path)}: unsupported file type (expected ${SUPPORTED_EXTENSIONS.join(', ')})`)
      let size: number
      try {
        const st = statSync(path)
        if (!st.isFile()) throw new Error()
        size = st.size
      } catch {
        throw new ApiError('user_error', `file ${i.path} does not exist`)
      }
      const loaded = await current()
      const base = { path, name: basename(path), format, size_bytes: size, estimated_records: estimateRecords(path, format) }
      if (format === 'csv') {
        const { header, rows } = await previewCsv(path, i.rows, loaded.settings.sources.csv.delimiter)
        const columns = i.csv_mapping ?? loaded.settings.sources.csv.columns
        const plan = planHeader(header, columns)
        const mapping = Object.fromEntries(
          TRANSACTION_FIELDS.map((f) => {
            const hit = plan.known.find(([, field]) => field === f)
            return [f, hit ? header[hit[0]]!.trim() : null]
          })
        )
        return {
          ...base,
          header,
          rows,
          mapping,
          missing_required: plan.missingRequired,
          extra_columns: plan.extra.map(([, h]) => h),
          suggestions: suggestMapping(header, rows, mapping)
        }
      }
      const header = ['created_at', 'vendor', 'subject', 'message_id']
      const rows: string[][] = []
      for await (const rec of readSource(new FileTap(path), basename(path), format, {})) {
        const f = rec.fields
        rows.push(
          rec.readError ? ['', '', `unreadable: ${rec.readError.message}`, ''] : header.map((h) => (f[h] === undefined || f[h] === null ? '' : String(f[h])))
        )
        if (rows.length >= i.rows) break
      }
      return { ...base, header, rows, mapping: {}, missing_required: [], extra_columns: [], suggestions: [] }
    },

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

    async resolveQuarantine(i) {
      // A correction is a run of its own (dedup, classify, route, audit): it takes the run lock like any run.
      if (running) {
        const at = new Date(running.started_at).toLocaleTimeString('en-GB')
        throw new ApiError('busy', `a run is already in progress (${running.trigger}, started ${at}); wait for it to finish, then try again`)
      }
      const mine = { trigger: 'quarantine', started_at: new Date().toISOString(), files: [] }
      running = mine
      try {
        const loaded = await current()
        const by = i.by ?? ctx.delivery?.defaultBy ?? osUser()
        const { ruleSet, silences } = await governedRun(trail.governance, loaded)
        const { resolution } = await resolveQuarantine(
          { store, settings: loaded.settings, ruleSet, silences },
          i.action === 'dismiss'
            ? { id: i.id, by, action: 'dismissed', reason: i.reason }
            : { id: i.id, by, action: 'corrected', fixes: i.fixes, reason: i.reason }
        )
        log.info('quarantine.resolved', {
          quarantine_id: i.id,
          action: resolution.action,
          outcome: resolution.outcome,
          entry_id: resolution.entry_id,
          run_id: resolution.run_id,
          by
        })
        const detail = quarantineDetail((await store.quarantineRecord(i.id))!)
        if (running === mine) running = null
        ctx.emit({ type: 'quarantineResolved', id: i.id, action: resolution.action, run_id: resolution.run_id })
        if (resolution.run_id !== null && !loaded.settings.dry_run) deliveries.kick('quarantine')
        return detail
      } catch (e) {
        if (e instanceof ResolutionError) throw new ApiError(/does not exist/.test(e.message) ? 'not_found' : 'user_error', e.message)
        throw e
      } finally {
        // Only our own lock: another run may hold it by now.
        if (running === mine) running = null
        indexInBackground()
      }
    },

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
    isRunning: () => running !== null,
    exportsDir: reports.exportsDir,
    deliveries: { kick: deliveries.kick, idle: deliveries.idle },
    close() {
      closed = true
      watching?.abort()
      clearInterval(failingCheck)
      deliveries.close()
      if (indexTimer) clearImmediate(indexTimer)
      indexTimer = null
    }
  }
}

/** A run summary as the contract shapes it (the first new critical ids, the exact count). */
function resultOf(summary: RunSummary, trigger: string): Output<'runNow'>['summary'] {
  return {
    run_id: summary.run_id,
    trigger,
    status: summary.status,
    dry_run: summary.dry_run,
    received: summary.received,
    triaged: summary.triaged,
    duplicates: summary.duplicates,
    quarantined: summary.quarantined,
    by_severity: summary.by_severity,
    deliveries: summary.deliveries,
    duration_ms: summary.duration_ms,
    files: summary.files,
    errors: summary.errors,
    new_critical: summary.new_critical.slice(0, NEW_CRITICAL_SHOWN),
    new_critical_count: summary.new_critical_count
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (e instanceof TriageError) return new ApiError(e.code, e.message)
  if ((e as NodeJS.ErrnoException)?.code === 'SQLITE_BUSY')
    return new ApiError('busy', 'the database is busy (another process is writing to it); try again in a moment')
  return new ApiError('internal', `unexpected error: ${messageOf(e)}`)
}
