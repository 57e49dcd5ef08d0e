// The queue's view of a case: what a store keeps per alert so the queues are index reads (state, assignee, who
// closed it pending approval, disposition, the next regulatory clock), and the next deadline under today's targets.
import type { Severity } from '../model.js'
import { deriveCase, nextClockDue, type EventLike } from './derive.js'
import type { CaseState, CaseView } from './model.js'
import type { CaseTargets } from './policy.js'

export interface QueueProjection {
  state: CaseState
  assignee: string | null
  pending_closer: string | null
  disposition: string | null
  clock_due_ms: number | null
}

export function project(v: CaseView): QueueProjection {
  return { state: v.state, assignee: v.assignee, pending_closer: v.pending?.by ?? null, disposition: v.disposition, clock_due_ms: nextClockDue(v) }
}

export const projectEvents = (events: readonly EventLike[]): QueueProjection => project(deriveCase(events))

/**
 * The next deadline: to acknowledge while open, to close until closed (or a running clock, if sooner), and once
 * closed the next running clock (null: nothing is due). Stores compute the same in SQL (store/case-sql.ts).
 */
export function dueMs(p: Pick<QueueProjection, 'state' | 'clock_due_ms'>, severity: Severity, triagedMs: number, t: CaseTargets): number | null {
  if (p.state === 'open') return triagedMs + t.ack[severity]
  if (p.state === 'closed') return p.clock_due_ms
  const close = triagedMs + t.close[severity]
  return p.clock_due_ms === null ? close : Math.min(close, p.clock_due_ms)
}

/** What the deadline is for (shown beside it). */
export function dueKind(
  p: Pick<QueueProjection, 'state' | 'clock_due_ms'>,
  severity: Severity,
  triagedMs: number,
  t: CaseTargets
): 'acknowledge' | 'close' | 'clock' | null {
  if (p.state === 'open') return 'acknowledge'
  if (p.state === 'closed') return p.clock_due_ms === null ? null : 'clock'
  return p.clock_due_ms !== null && p.clock_due_ms < triagedMs + t.close[severity] ? 'clock' : 'close'
}

export const targetsKey = (t: CaseTargets): string => JSON.stringify([t.ack, t.close])
