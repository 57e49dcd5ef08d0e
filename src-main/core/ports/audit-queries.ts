// The read side the UI needs: the audit browser (filter, sort, search, keyset pages), alert detail, runs,
// quarantine and the dashboard figures. Separate from TriageStore (the write path) so a store for teams can
// answer these differently (e.g. PostgreSQL full-text search) without touching the pipeline.
import type {
  AlertDetail, AuditFacets, AuditPage, AuditQuery, QuarantineItem, RunRow
} from './read-model.js'
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

export interface DashboardFigures {
  today: Record<'critical' | 'high' | 'medium' | 'low' | 'total', number>
  last_7_days: Record<'critical' | 'high' | 'medium' | 'low' | 'total', number>
  open_breaches: number
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
  getAlert(id: number): MaybePromise<AlertDetail | null>
  listRuns(limit: number, beforeId?: number): MaybePromise<{ runs: RunRow[]; next_before_id: number | null }>
  listQuarantine(o: { runId?: number; beforeId?: number; status?: 'all' | 'open'; limit: number }): MaybePromise<{ items: QuarantineItem[]; next_before_id: number | null; total: number; open: number }>
  dashboard(now: Date): MaybePromise<DashboardFigures>
}
