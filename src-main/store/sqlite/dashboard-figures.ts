// The dashboard's figures over SQLite: the triaged alerts of today and the week (a running tally,
// store/dashboard-tally.ts), the quarantine, and the last run.
import type Database from 'better-sqlite3'
import type { DashboardFigures } from '../../core/ports/audit-queries.js'
import { DashboardTally, type TallyRow } from '../dashboard-tally.js'
import type { SqliteBrowseIndex } from './browse-index.js'
import { runFromRow } from '../rows.js'
import { runRow } from './runs-and-quarantine.js'

export class SqliteDashboardFigures {
  private readonly s

  /** The dashboard's figures of triaged alerts, read from the entries appended since the last summary. */
  private readonly tally = new DashboardTally({
    headId: () => this.db.prepare('SELECT last_id FROM chain_head WHERE singleton = 1').pluck().get() as number,
    firstIdFrom: (iso) => this.db.prepare('SELECT min(id) FROM audit_entries WHERE triaged_at >= ?').pluck().get(iso) as number | null,
    scan: (from, to, midnightMs) =>
      this.db.prepare(`${TALLY_SELECT} WHERE e.id BETWEEN @from AND @to GROUP BY e.run_id, e.severity`).all({ from, to, midnightMs }) as TallyRow[],
    recount: (run, from, to, fromIso, midnightMs) =>
      this.db
        .prepare(`${TALLY_SELECT} WHERE e.id BETWEEN @from AND @to AND e.run_id = @run AND e.triaged_at >= @fromIso GROUP BY e.run_id, e.severity`)
        .all({ run, from, to, fromIso, midnightMs }) as TallyRow[]
  })

  constructor(
    private readonly db: Database.Database,
    private readonly index: SqliteBrowseIndex
  ) {
    this.s = {
      count: db.prepare('SELECT count FROM chain_head WHERE singleton = 1').pluck()
    }
  }

  async dashboard(now: Date): Promise<DashboardFigures> {
    // Today and the week by triage time, breaches split by their run's start: a running tally (store/dashboard-tally.ts).
    const figures = await this.tally.figures(now)
    this.index.catchUp(20_000)
    const quarantined = this.db.prepare('SELECT coalesce(sum(quarantined), 0) FROM runs').pluck().get() as number
    const last = this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get() as Parameters<typeof runFromRow>[0] | undefined
    return {
      ...figures,
      total_entries: this.s.count.get() as number,
      quarantined_total: quarantined,
      quarantine_open: quarantined - (this.db.prepare('SELECT count(*) FROM quarantine_resolutions').pluck().get() as number),
      last_run: last ? runRow(last) : null,
      last_success_at: this.db.prepare("SELECT max(finished_at) FROM runs WHERE status = 'ok'").pluck().get() as string | null,
      runs: this.db.prepare('SELECT count(*) FROM runs').pluck().get() as number
    }
  }
}

/**
 * The dashboard tally's counts per run and severity. late_on_import: past the target before the run started (the
 * run's start in ms from julianday, as PostgreSQL's extract(epoch) gives it).
 */
const TALLY_SELECT = `SELECT e.run_id, e.severity, count(*) n, coalesce(sum(e.sla_breached), 0) breached,
  coalesce(sum(e.sla_breached = 1 AND e.created_at_ms + e.sla_target_seconds * 1000 < CAST(round((julianday(r.started_at) - 2440587.5) * 86400000) AS INTEGER)), 0) late_on_import,
  coalesce(sum(e.created_at_ms >= @midnightMs), 0) dated, min(e.triaged_at) min_triaged, max(e.triaged_at) max_triaged, min(e.id) min_id, max(e.id) max_id
  FROM audit_entries e JOIN runs r ON r.id = e.run_id`
