// Case work SQL both stores share: the queue's deadline as an expression (the same rule as core/case/queue.ts
// dueMs), and the check of the queue read model against what the events derive.
import { SEVERITIES } from '../core/model.js'
import type { CaseEventRow } from '../core/case/model.js'
import type { CaseTargets } from '../core/case/policy.js'
import { projectEvents, type QueueProjection } from '../core/case/queue.js'

const bySeverity = (ms: Record<string, number>) => {
  for (const s of SEVERITIES) if (!Number.isSafeInteger(ms[s])) throw new Error(`case target for ${s} is not a whole number of ms`)
  return `CASE severity ${SEVERITIES.map((s) => `WHEN '${s}' THEN ${ms[s]}`).join(' ')} END`
}

/** due_ms from the row's state, severity, triaged_ms and clock_due_ms (numbers are inlined: checked integers). */
export function dueSql(t: CaseTargets, least: 'min' | 'least'): string {
  return `CASE state WHEN 'open' THEN triaged_ms + ${bySeverity(t.ack)} WHEN 'closed' THEN clock_due_ms
    ELSE ${least}(triaged_ms + ${bySeverity(t.close)}, coalesce(clock_due_ms, 9000000000000000)) END`
}

export interface QueueRowState extends QueueProjection {
  entry_id: number
  last_event_id: number
}

/**
 * Compares one alert's queue row with its events (both in entry order). Returns a sentence when they differ:
 * the queue was changed outside the engine (it decides what officers see as theirs, open or overdue).
 */
export function queueMismatch(row: QueueRowState | undefined, events: CaseEventRow[]): string | null {
  const want = events.length ? projectEvents(events) : { state: 'open', assignee: null, pending_closer: null, disposition: null, clock_due_ms: null }
  if (!row) return events.length ? `alert ${events[0]!.entry_id} has case events but no queue row` : null
  for (const k of ['state', 'assignee', 'pending_closer', 'disposition', 'clock_due_ms'] as const) {
    const got = row[k] === undefined ? null : row[k]
    const w = want[k as keyof typeof want]
    if ((got === null ? null : String(got)) !== (w === null ? null : String(w)))
      return `the queue shows alert ${row.entry_id} with ${k} ${JSON.stringify(got)}, but its case events say ${JSON.stringify(w)}`
  }
  return null
}
