// Every path that takes the run lock at once or is refused "busy": the pipeline runs (inbox runs, imports, the
// sample load) with their progress events, and a quarantine correction, which is a run of its own. Watched arrivals
// queue for the lock instead (watching.ts).
import { statSync } from 'node:fs'
import type { LoadedSettings, Settings } from '../core/config/index.js'
import { governedRun } from '../core/governance/runtime.js'
import { detectFormat } from '../core/ingest/index.js'
import type { Logger } from '../core/log.js'
import type { Trail } from '../core/ports/trail.js'
import { resolveQuarantine, ResolutionError } from '../core/quarantine/index.js'
import { executeRun, type RunSummary } from '../core/run.js'
import type { ApiEvent, Output, ParsedInput, RunOutcome } from './contract.js'
import type { DeliveryService } from './deliveries.js'
import { ApiError, messageOf } from './errors.js'
import { estimateRecords } from './estimate.js'
import type { HandlerState } from './handler-state.js'
import { quarantineDetail } from './quarantine-view.js'

const PROGRESS_EVERY_MS = 150
const NEW_CRITICAL_SHOWN = 100

export interface RunContext {
  trail: Trail
  state: HandlerState
  current(): Promise<LoadedSettings>
  emit(event: ApiEvent): void
  log: Logger
  deliveries: Pick<DeliveryService, 'afterRun' | 'runFailed' | 'kick'>
  indexInBackground(): void
  /** Who resolves a quarantine record when the caller does not say. */
  osUser(): string
}

export function createRuns(rc: RunContext) {
  const { trail, state, current, log, deliveries, indexInBackground } = rc
  const { store, queries } = trail

  /** Runs the pipeline under the run lock, with progress events; every run path goes through here. */
  async function withRun(
    trigger: string,
    plan: (loaded: LoadedSettings) => Promise<Array<{ path: string; displayName: string; track: boolean }>>,
    override?: (s: Settings) => Settings
  ): Promise<RunOutcome> {
    if (state.running) {
      const at = new Date(state.running.started_at).toLocaleTimeString('en-GB')
      throw new ApiError('busy', `a run is already in progress (${state.running.trigger}, started ${at}); wait for it to finish, then try again`)
    }
    state.running = { trigger, started_at: new Date().toISOString(), files: [] }
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
      state.running.files = files.map((f) => f.displayName)
      rc.emit({ type: 'runStarted', trigger, started_at: state.running.started_at, files: state.running.files })

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
            rc.emit({
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
      state.running = null
      rc.emit({ type: 'runFinished', summary: result })
      deliveries.afterRun(trigger, summary) // failure notice, then the outbox drained in the background (live only)
      return { summary: result, quarantine: { items: q.items, total: q.total } }
    } catch (e) {
      if (state.running) rc.emit({ type: 'runFailed', trigger, message: messageOf(e), run_id: failedRunId })
      deliveries.runFailed(trigger, messageOf(e))
      throw e
    } finally {
      state.running = null
      indexInBackground()
    }
  }

  async function resolveQuarantineRun(i: ParsedInput<'resolveQuarantine'>): Promise<Output<'resolveQuarantine'>> {
    // A correction is a run of its own (dedup, classify, route, audit): it takes the run lock like any run.
    if (state.running) {
      const at = new Date(state.running.started_at).toLocaleTimeString('en-GB')
      throw new ApiError('busy', `a run is already in progress (${state.running.trigger}, started ${at}); wait for it to finish, then try again`)
    }
    const mine = { trigger: 'quarantine', started_at: new Date().toISOString(), files: [] }
    state.running = mine
    try {
      const loaded = await current()
      const by = i.by ?? rc.osUser()
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
      if (state.running === mine) state.running = null
      rc.emit({ type: 'quarantineResolved', id: i.id, action: resolution.action, run_id: resolution.run_id })
      if (resolution.run_id !== null && !loaded.settings.dry_run) deliveries.kick('quarantine')
      return detail
    } catch (e) {
      if (e instanceof ResolutionError) throw new ApiError(/does not exist/.test(e.message) ? 'not_found' : 'user_error', e.message)
      throw e
    } finally {
      // Only our own lock: another run may hold it by now.
      if (state.running === mine) state.running = null
      indexInBackground()
    }
  }

  return { withRun, resolveQuarantine: resolveQuarantineRun }
}

/** A run summary as the contract shapes it (the first new critical ids, the exact count). */
export function resultOf(summary: RunSummary, trigger: string): Output<'runNow'>['summary'] {
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
