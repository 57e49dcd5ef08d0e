// Delivery in the app (both transports: the Electron engine process and `triage serve`). The CLI's
// triageThenDeliver, made continuous:
//   a run finishes → its failure notice if it failed as a whole → drain the outbox (live only)
//   → while deliveries wait for a retry, drain again when the next one falls due.
// Drains run in the background, one at a time: the run's reply (and the run lock) never waits for Slack's rate
// limit or a slow SMTP server. Every change is published as a deliveryChanged event carrying the new notices, so
// the tray can tell the officer and the window's banner can refresh.
import { userInfo } from 'node:os'
import type { LoadedSettings, Settings } from '../core/config/index.js'
import { drainOutbox, notifyRunFailure, type DrainReport } from '../core/deliver/index.js'
import { silentLogger, type Logger } from '../core/log.js'
import type { OutboxSession, Trail } from '../core/ports/trail.js'
import type { ApiEvent } from './contract.js'
import type { DeliveryMode, DeliveryStatusView, DrainSummary } from './delivery-contract.js'
import { deliveryActions, toNotice } from './delivery-actions.js'

export interface DeliveryServiceContext {
  trail: Trail
  settings(): Promise<LoadedSettings>
  emit(event: ApiEvent): void
  logger?: Logger
  /** Recorded as who acknowledged / resolved when the caller does not say: the account the app runs under. */
  defaultBy?: string
  /** How often to look for work that appeared without this process (CLI runs, dry-run switched off); default 20 s. */
  watchMs?: number
  /** Pause between the failure notice's e-mail attempts (tests shorten it). */
  failureRetryDelayMs?: number
}

export interface RunFacts {
  run_id: number
  status: string
  dry_run: boolean
  errors: string[]
}

export interface DeliveryService {
  /** After a run that finished: the failure notice when it failed as a whole, then a drain (live only). Returns at once. */
  afterRun(trigger: string, run: RunFacts): void
  /** A run that could not complete at all (bad rule set, database error). Returns at once. */
  runFailed(trigger: string, message: string): void
  /** A live source failing for a while (issue 12): the failure notice (banner, tray, e-mail to the leads). Returns at once. */
  sourceFailing(source: string, message: string): void
  /** Drain now (live only); a drain asked for during one runs right after it. */
  kick(reason: string): void
  status(limit: number): Promise<DeliveryStatusView>
  acknowledge(id: number, by: string | undefined): Promise<{ id: number; acknowledged_at: string; acknowledged_by: string }>
  resolve(
    alertId: number,
    destination: string,
    decision: 'sent' | 'resend',
    by: string | undefined
  ): Promise<{
    alert_id: number
    destination: string
    decision: 'sent' | 'resend'
    status: 'sent' | 'pending'
    resolved_at: string
    resolved_by: string
    note: string
  }>
  /** Resolves when no drain or notice is in progress (for tests and a clean shutdown). */
  idle(): Promise<void>
  close(): void
}

/** Scheduled and resumed runs have nobody watching: their failures go to the failure notice even when thrown. */
const UNATTENDED = new Set(['schedule', 'resume'])
/** The retry timer never sleeps longer than this (a settings change or a CLI run may bring work earlier). */
const MAX_RETRY_WAIT_MS = 15 * 60_000
const DRAIN_ERROR_RETRY_MS = 60_000

/** notifyRunFailure's wording: "Triage Desk <what> #12 failed" ('run' reads "inbox run"). */
const FAILURE_NAME: Record<string, string> = {
  manual: 'run',
  schedule: 'scheduled inbox run',
  resume: 'inbox run (after the machine resumed)',
  import: 'import',
  sample: 'sample data load'
}

/** The OS account's name: who decided, when the person did not say. */
export function osUser(): string {
  try {
    return userInfo().username || 'unknown'
  } catch {
    return 'unknown'
  }
}

export function createDeliveryService(ctx: DeliveryServiceContext): DeliveryService {
  const log = ctx.logger ?? silentLogger
  // The outbox on a connection of its own (durable claim marks), opened once; every use awaits it.
  let session: OutboxSession | null = null
  /** Notices up to this id were announced (or existed when the app started: the banner shows those). */
  let announced = 0
  const opened = ctx.trail.openOutbox().then(async (o) => {
    session = o
    announced = await o.maxNoticeId()
    return o
  })
  opened.catch((e: unknown) => log.error('delivery.outbox_open_failed', { error: (e as Error).message }))
  const ob = (): Promise<OutboxSession> => opened
  const abort = new AbortController()
  const defaultBy = ctx.defaultBy ?? osUser()
  let closed = false
  let draining = false
  let again: string | null = null
  let loop: Promise<void> | null = null
  let retryTimer: NodeJS.Timeout | null = null
  let lastDrain: DrainSummary | null = null
  let lastMode: DeliveryMode | null = null
  /** Failure notices and other side jobs, so idle() can wait for them. */
  const jobs = new Set<Promise<unknown>>()
  let lastDrainError: { message: string; at: number } | null = null

  const track = <T>(p: Promise<T>): void => {
    const j = p.catch((e: unknown) => log.error('delivery.app_failed', { error: (e as Error).message })).finally(() => jobs.delete(j))
    jobs.add(j)
  }

  async function settingsOrNull(): Promise<Settings | null> {
    try {
      return (await ctx.settings()).settings
    } catch {
      return null
    }
  }

  async function publish(): Promise<void> {
    if (closed) return
    const s = await settingsOrNull()
    if (s) lastMode = s.dry_run ? 'dry_run' : 'live'
    try {
      const outbox = await ob()
      const max = await outbox.maxNoticeId()
      const fresh =
        max > announced
          ? (await outbox.openNotices(100))
              .filter((n) => n.id > announced)
              .map(toNotice)
              .reverse()
          : []
      announced = Math.max(announced, max)
      ctx.emit({
        type: 'deliveryChanged',
        mode: lastMode ?? 'dry_run',
        draining,
        waiting: await outbox.waitingCount(),
        next_attempt_at: await outbox.nextDueAt(),
        open_notices: await outbox.openNoticeCount(),
        new_notices: fresh
      })
    } catch (e) {
      if (!closed) log.warn('delivery.status_failed', { error: (e as Error).message })
    }
  }

  function scheduleRetry(at: string | null, fallbackMs: number): void {
    if (closed) return
    if (retryTimer) clearTimeout(retryTimer)
    const wait = at ? Date.parse(at) - Date.now() : fallbackMs
    retryTimer = setTimeout(
      () => {
        retryTimer = null
        kick('retry')
      },
      Math.min(MAX_RETRY_WAIT_MS, Math.max(1000, wait))
    )
    retryTimer.unref()
  }

  async function failureNotice(trigger: string, runId: number | null, errors: string[]): Promise<void> {
    const settings = await settingsOrNull()
    const r = await notifyRunFailure({
      settings,
      outbox: await ob(),
      runId,
      trigger: FAILURE_NAME[trigger] ?? trigger,
      errors,
      logger: log,
      ...(ctx.failureRetryDelayMs !== undefined ? { retryDelayMs: ctx.failureRetryDelayMs } : {})
    })
    log.warn('delivery.failure_notice', { trigger, run_id: runId, email: r.email, notice_id: r.notice_id })
    await publish()
  }

  async function drainOnce(reason: string, settings: Settings): Promise<void> {
    const started = new Date().toISOString()
    let report: DrainReport | null = null
    let error: string | null = null
    try {
      report = await drainOutbox({ outbox: await ob(), settings, logger: log, signal: abort.signal })
    } catch (e) {
      error = (e as Error).message
    }
    if (closed) return
    const finished = new Date().toISOString()
    if (report) {
      const r = report
      lastDrain = {
        started_at: started,
        finished_at: finished,
        reason,
        messages: r.messages,
        sent: r.sent,
        retry: r.retry,
        dead: r.dead,
        uncertain: r.uncertain,
        waiting: r.waiting,
        next_attempt_at: r.next_attempt_at,
        error: null
      }
      log.info('delivery.drained', {
        reason,
        sent: r.sent,
        messages: r.messages,
        dead: r.dead,
        uncertain: r.uncertain,
        waiting: r.waiting,
        next_attempt_at: r.next_attempt_at
      })
      if (r.waiting > 0) scheduleRetry(r.next_attempt_at, DRAIN_ERROR_RETRY_MS)
      lastDrainError = null
      return
    }
    lastDrain = {
      started_at: started,
      finished_at: finished,
      reason,
      messages: 0,
      sent: 0,
      retry: 0,
      dead: 0,
      uncertain: 0,
      waiting: 0,
      next_attempt_at: null,
      error
    }
    log.error('delivery.drain_failed', { reason, error })
    // The database failed while delivering: the run as a whole failed to deliver (as in the CLI). Told once per
    // problem and hour, not at every retry of a database that stays broken.
    const now = Date.now()
    if (!lastDrainError || lastDrainError.message !== error || now - lastDrainError.at > 3_600_000) {
      lastDrainError = { message: error!, at: now }
      await failureNotice('delivery', null, [`delivery: ${error}`]).catch((e: Error) => log.error('delivery.failure_notice_failed', { error: e.message }))
    }
    scheduleRetry(null, DRAIN_ERROR_RETRY_MS)
  }

  async function drainLoop(first: string): Promise<void> {
    let reason: string | null = first
    while (reason !== null && !closed) {
      again = null
      const settings = await settingsOrNull()
      if (!settings || settings.dry_run) {
        // Dry-run: nothing is sent; what is pending waits until dry-run is switched off.
        if (lastMode === 'live') await publish()
        return
      }
      if (retryTimer) clearTimeout(retryTimer)
      retryTimer = null
      draining = true
      await publish()
      try {
        await drainOnce(reason, settings)
      } finally {
        draining = false
      }
      await publish()
      reason = again
    }
  }

  function kick(reason: string): void {
    if (closed) return
    if (loop) {
      again = again ?? reason
      return
    }
    loop = drainLoop(reason)
      .catch((e: unknown) => log.error('delivery.loop_failed', { error: (e as Error).message }))
      .finally(() => {
        loop = null
        if (again && !closed) kick(again)
      })
  }

  // Work that appears without this process: dry-run switched off (tray, settings), deliveries due that a CLI run
  // left, notices a CLI run recorded.
  const watcher = setInterval(() => {
    if (closed || loop) return
    track(
      (async () => {
        const s = await settingsOrNull()
        const mode: DeliveryMode | null = s ? (s.dry_run ? 'dry_run' : 'live') : null
        const modeChanged = mode !== null && lastMode !== null && mode !== lastMode
        const outbox = await ob()
        if (modeChanged || (await outbox.maxNoticeId()) > announced) await publish()
        if (mode === 'live') {
          const next = await outbox.nextDueAt()
          if (next && Date.parse(next) <= Date.now()) kick('due')
        }
        if (mode) lastMode = mode
      })()
    )
  }, ctx.watchMs ?? 20_000)
  watcher.unref()

  // What an earlier session left: pending deliveries, retries, 'sending' rows of a process that died.
  setImmediate(() => kick('start'))
  void settingsOrNull().then((s) => {
    if (s && lastMode === null) lastMode = s.dry_run ? 'dry_run' : 'live'
  })
  const actions = deliveryActions({
    trail: ctx.trail,
    ob,
    settingsOrNull,
    publish,
    kick,
    defaultBy,
    draining: () => draining,
    lastDrain: () => lastDrain,
    lastMode: () => lastMode
  })

  return {
    afterRun(trigger, run) {
      if (closed) return
      track(
        (async () => {
          if (run.status === 'failed') await failureNotice(trigger, run.run_id, run.errors.length ? run.errors : ['the run failed'])
          if (!run.dry_run) kick(trigger)
          else await publish()
        })()
      )
    },

    runFailed(trigger, message) {
      if (closed || !UNATTENDED.has(trigger)) return
      track(failureNotice(trigger, null, [message]))
    },

    sourceFailing(source, message) {
      if (closed) return
      track(failureNotice(`source ${source}`, null, [message]))
    },

    kick,

    status: actions.status,
    acknowledge: actions.acknowledge,
    resolve: actions.resolve,

    async idle() {
      for (;;) {
        if (loop) await loop
        else if (jobs.size) await Promise.all([...jobs])
        else return
      }
    },

    close() {
      if (closed) return
      closed = true
      abort.abort()
      clearInterval(watcher)
      if (retryTimer) clearTimeout(retryTimer)
      // An in-flight send finishes and records its result before the connection closes.
      void Promise.all([loop, ...jobs, opened.catch(() => null)]).finally(() => void session?.close())
    }
  }
}
