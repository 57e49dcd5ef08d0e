// The audit browser's queries over SQLite, fast at a million entries without slowing imports:
// - audit_entries gets no new index or trigger; the browse tables of migration 003 are filled by catchUp(),
//   which reads entries with id > indexed_upto in chunks (after each run, and before a filtered query).
// - every page is a keyset page (id, or (sort key, id)) read from an index in order; a page asked by position
//   (offset, or the position of an alert time) steps over a narrow covering index (OFFSET there reads index
//   entries only: see bench/audit-scroll.ts for the figures); counts read the same indexes and stop at COUNT_CAP.
// - the plan is chosen here (audit-pages.ts), not left to the planner: the driving index is the one that yields rows
//   already in the requested order, unless a filter is known to be small enough to read whole and sort.
// The parts: the browser's pages (audit-pages.ts) and filter (audit-filter.ts), one alert (alert-record.ts), the
// runs and quarantine lists (runs-and-quarantine.ts) and the dashboard (dashboard-figures.ts).
import type Database from 'better-sqlite3'
import type { AuditQuery } from '../../core/ports/read-model.js'
import type { AuditQueries, IndexProgress } from '../../core/ports/audit-queries.js'
import { SqliteBrowseIndex } from './browse-index.js'
import { SqliteAuditFilter } from './audit-filter.js'
import { SqliteAuditPages } from './audit-pages.js'
import { SqliteAlertRecords } from './alert-record.js'
import { SqliteRunsAndQuarantine } from './runs-and-quarantine.js'
import { SqliteDashboardFigures } from './dashboard-figures.js'

export class SqliteAuditQueries implements AuditQueries {
  private readonly index: SqliteBrowseIndex
  private readonly filter: SqliteAuditFilter
  private readonly pages: SqliteAuditPages
  private readonly alerts: SqliteAlertRecords
  private readonly lists: SqliteRunsAndQuarantine
  private readonly figures: SqliteDashboardFigures

  constructor(db: Database.Database) {
    this.index = new SqliteBrowseIndex(db)
    this.filter = new SqliteAuditFilter(db, this.index)
    this.pages = new SqliteAuditPages(db, this.index, this.filter)
    this.alerts = new SqliteAlertRecords(db)
    this.lists = new SqliteRunsAndQuarantine(db)
    this.figures = new SqliteDashboardFigures(db, this.index)
  }

  /** Entries appended since the browse index last caught up. */
  pending(): number {
    return this.index.pending()
  }

  catchUp(maxRows = Number.POSITIVE_INFINITY): IndexProgress {
    return this.index.catchUp(maxRows)
  }

  // ── the audit browser ─────────────────────────────────────────────────────────────────────────────────────

  queryAudit = (q: AuditQuery) => this.pages.queryAudit(q)
  facets = () => this.filter.facets()

  // ── one alert ─────────────────────────────────────────────────────────────────────────────────────────────

  getAlert = (id: number) => this.alerts.getAlert(id)

  // ── runs, quarantine, dashboard ───────────────────────────────────────────────────────────────────────────

  listRuns = (limit: number, beforeId?: number) => this.lists.listRuns(limit, beforeId)
  listQuarantine = (o: Parameters<SqliteRunsAndQuarantine['listQuarantine']>[0]) => this.lists.listQuarantine(o)
  quarantinedAlready = (keys: Array<{ sha256: string; kind: string }>) => this.lists.quarantinedAlready(keys)
  dashboard = (now: Date) => this.figures.dashboard(now)
}
