// The backtest's reads on SQLite: the alerts of a period in id windows (the span found from the triaged_at index of
// migration 004), each window one statement, and the window's case events from the (entry_id, id) index. Give it a
// read-only connection of its own inside a read transaction (SqliteTrail.openBacktest): one snapshot throughout.
import type Database from 'better-sqlite3'
import type { BacktestChunk, BacktestQueries } from '../../core/ports/backtest.js'
import type { Period } from '../../core/ports/reports.js'
import type { Severity } from '../../core/model.js'
import { BACKTEST_CHUNK, dispositionsOf, type BacktestEventRow } from '../backtest-rows.js'

type EntryCells = [id: number, severity: Severity, destinations: string, payload: string, created_at_ms: number]

export class SqliteBacktestQueries implements BacktestQueries {
  /** `chunk`: alerts per chunk (at most; an id window of this size), smaller only in tests. */
  constructor(
    readonly db: Database.Database,
    private readonly chunk = BACKTEST_CHUNK
  ) {
    if (!this.has('audit_entries')) throw new Error('this database has no audit trail (not a Triage Desk database)')
  }

  private has(table: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined
  }

  backtestCount(p: Period): number {
    return this.db.prepare('SELECT count(*) FROM audit_entries WHERE triaged_at >= @from AND triaged_at < @to').pluck().get(p) as number
  }

  backtestRows(p: Period): Iterable<BacktestChunk> {
    // min() and max() apart: each reads one end of the triaged_at index (a trail from before migration 004 scans).
    const lo = this.db.prepare('SELECT min(id) FROM audit_entries WHERE triaged_at >= @from AND triaged_at < @to').pluck().get(p) as number | null
    const hi = this.db.prepare('SELECT max(id) FROM audit_entries WHERE triaged_at >= @from AND triaged_at < @to').pluck().get(p) as number | null
    // "+triaged_at": walked by id, never through the triaged_at index.
    const entries = this.db
      .prepare(
        `SELECT id, severity, destinations, payload, created_at_ms FROM audit_entries
        WHERE id BETWEEN @first AND @last AND +triaged_at >= @from AND +triaged_at < @to ORDER BY id`
      )
      .raw()
    const events = this.has('case_events')
      ? this.db.prepare('SELECT entry_id, type, actor, at, data FROM case_events WHERE entry_id BETWEEN ? AND ? ORDER BY entry_id, id').raw()
      : null
    const size = this.chunk
    function* chunks(): Iterable<BacktestChunk> {
      if (lo === null || hi === null) return
      for (let first = lo; first <= hi; first += size) {
        const rows = entries.all({ ...p, first, last: first + size - 1 }) as EntryCells[]
        if (!rows.length) continue
        const n = rows.length
        const c: BacktestChunk = {
          id: new Array(n),
          severity: new Array(n),
          destinations: new Array(n),
          payload: new Array(n),
          created_at_ms: new Array(n),
          disposition: []
        }
        for (let i = 0; i < n; i++) {
          const r = rows[i]!
          c.id[i] = r[0]
          c.severity[i] = r[1]
          c.destinations[i] = r[2]
          c.payload[i] = r[3]
          c.created_at_ms[i] = r[4]
        }
        const evs = events ? (events.all(c.id[0], c.id[n - 1]) as BacktestEventRow[]) : []
        c.disposition = evs.length ? dispositionsOf(c.id, evs) : new Array(n).fill(null)
        yield c
      }
    }
    return chunks()
  }
}
