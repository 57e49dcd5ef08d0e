// The audit browser's queries over PostgreSQL: the same answers as store/sqlite/queries.ts (rows, order, cursors,
// capped counts, search results), got PostgreSQL's way:
// - the browse tables of migration 003 (narrow facet rows with covering indexes, per-run id ranges, one tsvector
//   per entry under a GIN index) are filled by catchUp(); audit_entries gets no index, so imports stay as fast.
// - the planner picks the index: no hand-chosen plans, no temp staging tables, no per-facet counts kept for planning.
// - catchUp is safe with several engines: one chunk at a time under the browse_state row lock, inserts idempotent.
//
// Search words are FTS5's. SQLite tokenizes with 'porter unicode61 remove_diacritics 2' (Porter stems, Unicode case
// folding, diacritics removed); PostgreSQL's parsers and Snowball stemmers would find other entries for the same
// words (e-mail addresses kept whole, porter2 stems, other folding). So the terms are made by that very tokenizer,
// in an in-memory SQLite database, and stored as tsvector lexemes; a search is a tsquery of the same terms, each a
// lexeme or a prefix (:*). Matching is GIN's: every term must be present, exactly as FTS5 answers an AND query.
//
// The parts: the browser's pages (audit-pages.ts) and filter (audit-filter.ts), one alert (alert-record.ts), the
// runs and quarantine lists (runs-and-quarantine.ts) and the dashboard (dashboard-figures.ts), as on SQLite.
import type pg from 'pg'
import type { AuditQuery } from '../../core/ports/read-model.js'
import type { AuditQueries, IndexProgress } from '../../core/ports/audit-queries.js'
import { Fts5Terms, PostgresBrowseIndex } from './browse-index.js'
import { PostgresAuditFilter } from './audit-filter.js'
import { PostgresAuditPages } from './audit-pages.js'
import { PostgresAlertRecords } from './alert-record.js'
import { PostgresRunsAndQuarantine } from './runs-and-quarantine.js'
import { PostgresDashboardFigures } from './dashboard-figures.js'

export class PostgresAuditQueries implements AuditQueries {
  private readonly terms = new Fts5Terms()
  private readonly index: PostgresBrowseIndex
  private readonly filter: PostgresAuditFilter
  private readonly pages: PostgresAuditPages
  private readonly alerts: PostgresAlertRecords
  private readonly lists: PostgresRunsAndQuarantine
  private readonly figures: PostgresDashboardFigures

  constructor(pool: pg.Pool) {
    this.index = new PostgresBrowseIndex(pool, this.terms)
    this.filter = new PostgresAuditFilter(pool, this.terms, this.index)
    this.pages = new PostgresAuditPages(pool, this.index, this.filter)
    this.alerts = new PostgresAlertRecords(pool)
    this.lists = new PostgresRunsAndQuarantine(pool)
    this.figures = new PostgresDashboardFigures(pool, this.index)
  }

  /** Entries appended since the browse indexes last caught up. */
  pending(): Promise<number> {
    return this.index.pending()
  }

  catchUp(maxRows = Number.POSITIVE_INFINITY): Promise<IndexProgress> {
    return this.index.catchUp(maxRows)
  }

  /** Closes the in-memory tokenizer (the pool belongs to the store). */
  close(): void {
    this.terms.close()
  }

  // ── the audit browser ─────────────────────────────────────────────────────────────────────────────────────

  queryAudit = (q: AuditQuery) => this.pages.queryAudit(q)
  facets = () => this.filter.facets()

  // ── one alert ─────────────────────────────────────────────────────────────────────────────────────────────

  getAlert = (id: number) => this.alerts.getAlert(id)

  // ── runs, quarantine, dashboard ───────────────────────────────────────────────────────────────────────────

  listRuns = (limit: number, beforeId?: number) => this.lists.listRuns(limit, beforeId)
  listQuarantine = (o: Parameters<PostgresRunsAndQuarantine['listQuarantine']>[0]) => this.lists.listQuarantine(o)
  quarantinedAlready = (keys: Array<{ sha256: string; kind: string }>) => this.lists.quarantinedAlready(keys)
  dashboard = (now: Date) => this.figures.dashboard(now)
}
