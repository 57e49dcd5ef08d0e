// The read side the UI needs: the audit browser (filter, sort, search, keyset pages), alert detail, runs,
// quarantine and the dashboard figures. Separate from TriageStore (the write path) so a store for teams can
// answer these differently (e.g. PostgreSQL full-text search) without touching the pipeline.
import type {
  AlertDetail, AuditFacets, AuditPage, AuditQuery, QuarantineItem, RunRow
} from '../../api/contract.js'

export type { AuditFacets } from '../../api/contract.js'

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

export interface AuditQueries {
  /** Indexes up to maxRows entries not yet in the browse indexes (never triggers: see migration 003). */
  catchUp(maxRows?: number): IndexProgress
  pending(): number
  queryAudit(q: AuditQuery): AuditPage
  facets(): AuditFacets
  getAlert(id: number): AlertDetail | null
  listRuns(limit: number, beforeId?: number): { runs: RunRow[]; next_before_id: number | null }
  listQuarantine(o: { runId?: number; beforeId?: number; status?: 'all' | 'open'; limit: number }): { items: QuarantineItem[]; next_before_id: number | null; total: number; open: number }
  dashboard(now: Date): DashboardFigures
}
