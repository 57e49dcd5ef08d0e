// What a backtest (core/backtest) reads from a store: the alerts triaged in a period as they were stored (their
// severity, destinations and normalized alert) and each alert's case disposition, a chunk at a time, all from one
// read snapshot. SQLite implements it in store/sqlite/backtest.ts, PostgreSQL in store/postgres/backtest.ts.
import type { Severity } from '../model.js'
import type { Period, Rows } from './reports.js'

type MaybePromise<T> = T | Promise<T>

/**
 * A chunk of the period's alerts in entry id order, column by column (the i-th value of each array is one alert):
 * a chunk holds a few thousand alerts, so a period of 1M is never held at once.
 */
export interface BacktestChunk {
  /** Entry ids, ascending (across chunks too). */
  id: number[]
  /** The severity stored on the entry (what the rule set in force then decided). */
  severity: Severity[]
  /** The destinations stored on the entry: JSON text of an array of strings, as written by the pipeline. */
  destinations: string[]
  /** The normalized alert: JSON text of the Alert (audit_entries.payload). */
  payload: string[]
  /** Date.parse(alert.created_at), as stored (audit_entries.created_at_ms): what rules on time read. */
  created_at_ms: number[]
  /**
   * The case disposition in force in the snapshot (core/case/derive.ts: set once a close took effect, cleared by a
   * reopen; 'sar_filed' once a SAR was filed on an escalated alert), or null: no disposition (not closed).
   */
  disposition: Array<string | null>
}

export interface BacktestQueries {
  /** How many alerts were triaged in the period (what backtestRows will yield in all). */
  backtestCount(p: Period): MaybePromise<number>
  /** The alerts triaged in the period ([from, to) on triaged_at, as the reports), a chunk at a time. */
  backtestRows(p: Period): Rows<BacktestChunk>
}

/** One consistent read of the trail for one backtest (a snapshot of its own), closed when it is done. */
export interface BacktestSession {
  queries: BacktestQueries
  close(): MaybePromise<void>
}
