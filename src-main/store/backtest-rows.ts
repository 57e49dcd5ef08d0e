// What both stores' backtest reads share: the case disposition of each alert of a chunk, derived from its case
// events in the same snapshot as the alerts (the queue read model, case_queue, is caught up lazily and may lag
// behind the events; the events are the record).
import { deriveCase } from '../core/case/derive.js'
import type { CaseEventType } from '../core/case/model.js'

/** Alerts per chunk of BacktestQueries.backtestRows. */
export const BACKTEST_CHUNK = 10_000

/** A case event as the backtest reads it: entry_id, type, by, at, data (JSON text). */
export type BacktestEventRow = [entry_id: number, type: CaseEventType, by: string, at: string, data: string]

/**
 * The disposition of each alert of `ids` (ascending), from `events` ordered by (entry_id, id); null where an alert
 * has no events or no disposition in force. Events of alerts not in `ids` (outside the period) are skipped.
 */
export function dispositionsOf(ids: readonly number[], events: readonly BacktestEventRow[]): Array<string | null> {
  const out = new Array<string | null>(ids.length).fill(null)
  let i = 0
  for (let e = 0; e < events.length;) {
    const entry = events[e]![0]
    let end = e + 1
    while (end < events.length && events[end]![0] === entry) end++
    while (i < ids.length && ids[i]! < entry) i++
    if (i < ids.length && ids[i] === entry) {
      const evs = events.slice(e, end).map((r) => ({ type: r[1], by: r[2], at: r[3], data: r[4] }))
      out[i] = deriveCase(evs).disposition
    }
    e = end
  }
  return out
}
