// A case's state, derived from its events in order. Pure and policy-free: everything a past decision depended
// on (four-eyes in force, a clock's due date) is recorded in the event itself, so the same events always give
// the same case, whatever the settings are today. Browser-safe.
import type { CaseClock, CaseEventData, CaseEventType, CaseView, ClockKind } from './model.js'
import { samePerson } from './policy.js'

/** An event as derive reads it: a stored row (data as JSON text) or a new one (data as an object). */
export interface EventLike {
  type: CaseEventType
  by: string
  at: string
  data: string | object
}

const dataOf = <T extends CaseEventType>(e: EventLike & { type: T }): CaseEventData[T] =>
  (typeof e.data === 'string' ? JSON.parse(e.data) : e.data) as CaseEventData[T]

/** The disposition codes that mean a SAR decision is still to be made (the clock keeps running). */
const SAR_DISPOSITIONS = new Set(['escalated', 'sar_filed'])

export function deriveCase(events: readonly EventLike[], nowMs?: number): CaseView {
  const v: CaseView = {
    state: 'open',
    assignee: null,
    disposition: null,
    reason: null,
    acknowledged_at: null,
    acknowledged_by: null,
    closed_at: null,
    closed_by: null,
    approved_by: null,
    pending: null,
    sar_references: [],
    clocks: []
  }
  const clocks: CaseClock[] = []
  const running = (kind: ClockKind) => clocks.find((c) => c.kind === kind && c.stopped_at === null)
  const stop = (kind: ClockKind, at: string) => {
    const c = running(kind)
    if (c) c.stopped_at = at
  }
  /** A close took effect (directly, or by approval): a decision not to file stops every running clock. */
  const takeEffect = (disposition: string, at: string) => {
    if (!SAR_DISPOSITIONS.has(disposition)) for (const k of ['sar_decision', 'continuing_review', 'follow_up_filing'] as const) stop(k, at)
  }
  for (const e of events) {
    switch (e.type) {
      case 'acknowledged':
        if (v.state === 'open') v.state = 'acknowledged'
        v.acknowledged_at ??= e.at
        v.acknowledged_by ??= e.by
        break
      case 'assigned':
        v.assignee = dataOf(e as EventLike & { type: 'assigned' }).to
        break
      case 'note':
      case 'evidence':
        if (v.state === 'acknowledged') v.state = 'investigating'
        break
      case 'closed': {
        const d = dataOf(e as EventLike & { type: 'closed' })
        if (d.requires_approval) {
          v.state = 'pending_approval'
          v.pending = { by: e.by, at: e.at, disposition: d.disposition, reason: d.reason }
        } else {
          v.state = 'closed'
          v.disposition = d.disposition
          v.reason = d.reason
          v.closed_at = e.at
          v.closed_by = e.by
          v.approved_by = null
          takeEffect(d.disposition, e.at)
        }
        break
      }
      case 'approved':
        // An approval by the officer who closed it is not one (four-eyes; `triage verify` names such an event).
        if (v.pending && !samePerson(v.pending.by, e.by)) {
          v.state = 'closed'
          v.disposition = v.pending.disposition
          v.reason = v.pending.reason
          v.closed_at = e.at
          v.closed_by = v.pending.by
          v.approved_by = e.by
          takeEffect(v.pending.disposition, e.at)
          v.pending = null
        }
        break
      case 'rejected':
        if (v.pending && samePerson(v.pending.by, e.by)) break
        v.state = 'investigating'
        v.pending = null
        break
      case 'reopened':
        v.state = 'investigating'
        v.disposition = null
        v.reason = null
        v.closed_at = null
        v.closed_by = null
        v.approved_by = null
        break
      case 'clock_started': {
        const d = dataOf(e as EventLike & { type: 'clock_started' })
        clocks.push({ kind: d.clock, started_at: e.at, due_at: d.due_at, extended: false, stopped_at: null, state: 'running' })
        break
      }
      case 'clock_extended': {
        const d = dataOf(e as EventLike & { type: 'clock_extended' })
        const c = running(d.clock)
        if (c) {
          c.due_at = d.due_at
          c.extended = true
        }
        break
      }
      case 'sar_filed': {
        v.sar_references.push(dataOf(e as EventLike & { type: 'sar_filed' }).reference)
        // A filing answers the SAR decision, and the previous cycle's continuing review and follow-up filing.
        for (const k of ['sar_decision', 'continuing_review', 'follow_up_filing'] as const) stop(k, e.at)
        break
      }
    }
  }
  if (v.sar_references.length && v.state === 'closed' && v.disposition === 'escalated') v.disposition = 'sar_filed'
  for (const c of clocks) c.state = clockState(c, nowMs)
  v.clocks = clocks
  return v
}

function clockState(c: Pick<CaseClock, 'due_at' | 'stopped_at'>, nowMs?: number): CaseClock['state'] {
  const due = Date.parse(c.due_at)
  if (c.stopped_at !== null) return Date.parse(c.stopped_at) <= due ? 'met' : 'missed'
  return nowMs !== undefined && nowMs > due ? 'overdue' : 'running'
}

/** The earliest due time (ms) of the clocks still running, or null. */
export function nextClockDue(v: CaseView): number | null {
  let min: number | null = null
  for (const c of v.clocks) if (c.stopped_at === null) min = Math.min(min ?? Infinity, Date.parse(c.due_at))
  return min
}
