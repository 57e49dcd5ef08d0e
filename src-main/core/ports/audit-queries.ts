// The read side the UI needs: the audit browser (filter, sort, search, keyset pages), alert detail, runs,
// quarantine and the dashboard figures. Separate from TriageStore (the write path) so a store for teams can
// answer these differently (e.g. PostgreSQL full-text search) without touching the pipeline.
import type { AlertRecord, AuditFacets, AuditPage, AuditQuery, QuarantineItem, RunRow } from './read-model.js'
import { TriageError, type ErrorCode } from '../errors.js'

export type { AuditFacets } from './read-model.js'

type MaybePromise<T> = T | Promise<T>

/** A query the read side cannot answer as asked (a cursor of another sort order, a forged cursor). */
export class QueryError extends TriageError {
  readonly code: ErrorCode = 'invalid_input'
}

export interface IndexProgress {
  /** entries brought into the browse indexes by this call */
  indexed: number
  /** entries still waiting (0: the indexes are current) */
  pending: number
  indexed_upto: number
}

/**
 * SLA breaches: alerts whose triage delay (from their own time, created_at, to their triage) was over the target of
 * their severity. Split by where the time went: an alert already past its target when the run that imported it
 * started reached the desk late (a back-dated import, a backlog, a source that delivered late); the others passed
 * their target during the wait for the run or the run itself.
 */
export interface BreachFigures {
  total: number
  /** Past the target before the run that triaged them started (created_at + target < the run's start). */
  late_on_import: number
  /** Within the target when their run started, past it when triaged. */
  late_in_run: number
}

export interface DashboardFigures {
  /** Alerts triaged since local midnight, by the time they were triaged (whatever their own date), by severity. */
  today: Record<'critical' | 'high' | 'medium' | 'low' | 'total', number>
  /** Of today's, those whose own time (created_at) is since local midnight too: the rest are dated earlier. */
  today_dated_today: number
  /** Alerts triaged in the last 7 days (by triage time), by severity. */
  last_7_days: Record<'critical' | 'high' | 'medium' | 'low' | 'total', number>
  /** SLA breaches among the alerts triaged in the last 7 days: see BreachFigures. */
  breaches: BreachFigures
  total_entries: number
  quarantined_total: number
  quarantine_open: number
  last_run: RunRow | null
  last_success_at: string | null
  runs: number
}

/** Every method may answer synchronously (SQLite) or with a promise (PostgreSQL): callers await. */
export interface AuditQueries {
  /** Indexes up to maxRows entries not yet in the browse indexes (never triggers: see migration 003). */
  catchUp(maxRows?: number): MaybePromise<IndexProgress>
  pending(): MaybePromise<number>
  queryAudit(q: AuditQuery): MaybePromise<AuditPage>
  facets(): MaybePromise<AuditFacets>
  getAlert(id: number): MaybePromise<AlertRecord | null>
  listRuns(limit: number, beforeId?: number): MaybePromise<{ runs: RunRow[]; next_before_id: number | null }>
  listQuarantine(o: {
    runId?: number
    beforeId?: number
    status?: 'all' | 'open'
    limit: number
  }): MaybePromise<{ items: QuarantineItem[]; next_before_id: number | null; total: number; open: number }>
  dashboard(now: Date): MaybePromise<DashboardFigures>
  /** Of these raw-byte hashes and source kinds, those the trail holds a quarantine record for ("kind|sha256"). */
  quarantinedAlready(keys: Array<{ sha256: string; kind: string }>): MaybePromise<string[]>
}
