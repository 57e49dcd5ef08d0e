// The dashboard's figures over PostgreSQL: the triaged alerts of today and the week (the running tally of
// store/dashboard-tally.ts, as SQLite's), the quarantine, and the last run.
import type pg from 'pg'
import type { DashboardFigures } from '../../core/ports/audit-queries.js'
import { DashboardTally, type TallyRow } from '../dashboard-tally.js'
import type { PostgresBrowseIndex } from './browse-index.js'
import { PoolQueries } from './pool-queries.js'
import { runRow, type DbRun } from './runs-and-quarantine.js'
import { fromPg } from './text.js'

export class PostgresDashboardFigures extends PoolQueries {
  constructor(
    pool: pg.Pool,
    private readonly index: PostgresBrowseIndex
  ) {
    super(pool)
  }

  /** The dashboard's figures of triaged alerts, read from the entries appended since the last summary. */
  private readonly tally = new DashboardTally({
    headId: async () => Number(await this.one<number>('SELECT last_id AS v FROM chain_head WHERE singleton = 1')),
    firstIdFrom: async (iso) => {
      const v = await this.one<number | null>('SELECT min(id) AS v FROM audit_entries WHERE triaged_at >= $1', [iso])
      return v === null ? null : Number(v)
    },
    scan: (from, to, midnightMs) => this.q<TallyRow>(`${PG_TALLY_SELECT} WHERE e.id BETWEEN $1 AND $2 GROUP BY e.run_id, e.severity`, [from, to, midnightMs]),
    recount: (run, from, to, fromIso, midnightMs) =>
      this.q<TallyRow>(`${PG_TALLY_SELECT} WHERE e.id BETWEEN $1 AND $2 AND e.run_id = $4 AND e.triaged_at >= $5 GROUP BY e.run_id, e.severity`, [
        from,
        to,
        midnightMs,
        run,
        fromIso
      ])
  })

  async dashboard(now: Date): Promise<DashboardFigures> {
    // The same running tally as SQLite's (store/dashboard-tally.ts), fed by the same grouped counts.
    const figures = await this.tally.figures(now)
    await this.index.catchUp(20_000)
    const quarantined = await this.one<number>('SELECT coalesce(sum(quarantined), 0) AS v FROM runs')
    const last = (await this.q<DbRun>('SELECT * FROM runs ORDER BY id DESC LIMIT 1'))[0]
    const lastSuccess = await this.one<string | null>(`SELECT max(finished_at COLLATE "C") AS v FROM runs WHERE status = 'ok'`)
    return {
      ...figures,
      total_entries: await this.one<number>('SELECT count AS v FROM chain_head WHERE singleton = 1'),
      quarantined_total: quarantined,
      quarantine_open: quarantined - (await this.one<number>('SELECT count(*) AS v FROM quarantine_resolutions')),
      last_run: last ? runRow(last) : null,
      last_success_at: fromPg(lastSuccess),
      runs: await this.one<number>('SELECT count(*) AS v FROM runs')
    }
  }
}

/**
 * The dashboard tally's counts per run and severity, as SQLite's TALLY_SELECT ($3: local midnight in ms). Text times
 * compared byte by byte (COLLATE "C"), as SQLite compares them; the run's start rounded to the ms as julianday is.
 */
const PG_TALLY_SELECT = `SELECT e.run_id, e.severity, count(*) AS n, count(*) FILTER (WHERE e.sla_breached = 1) AS breached,
  count(*) FILTER (WHERE e.sla_breached = 1 AND e.created_at_ms + e.sla_target_seconds * 1000 < round(extract(epoch FROM r.started_at::timestamptz) * 1000)) AS late_on_import,
  count(*) FILTER (WHERE e.created_at_ms >= $3) AS dated, min(e.triaged_at COLLATE "C") AS min_triaged, max(e.triaged_at COLLATE "C") AS max_triaged,
  min(e.id) AS min_id, max(e.id) AS max_id
  FROM audit_entries e JOIN runs r ON r.id = e.run_id`
