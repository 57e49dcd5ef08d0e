// The SLA report's case-work section: what officers did with the alerts triaged in the period, as their case
// events stood at the period's end. Each alert's case is derived by core/case/derive.ts from its events recorded
// before the end (the same derivation the queue and `triage case show` use: there is no second state machine),
// one chunk of alerts at a time, so a period of 100k+ alerts never sits in memory.
import { deriveCase } from '../case/derive.js'
import { CASE_STATES, CLOCK_KINDS, type CaseState, type CaseView, type ClockKind } from '../case/model.js'
import type { CasePolicy } from '../case/policy.js'
import { SEVERITIES, type Severity } from '../model.js'
import type { CaseAlert, Period, ReportQueries } from '../ports/reports.js'
import { percentile } from '../sla/index.js'
import { Numbers } from './numbers.js'
import { eachRow } from './rows.js'

type SeverityCounts = Record<Severity, number>
const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0 })
const sum = (c: SeverityCounts) => SEVERITIES.reduce((t, s) => t + c[s], 0)
/** Highest severity first (the report's order). */
const ORDER: Severity[] = [...SEVERITIES].reverse()

/** Two names are one person when they differ only in case (as the desk's four-eyes check compares them). */
const samePerson = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** The disposition whose share per rule is the input for tuning the rules. */
const FALSE_POSITIVE = 'false_positive'

/** The states an alert can still be in when it is not closed. */
const OPEN_STATES = CASE_STATES.filter((s): s is Exclude<CaseState, 'closed'> => s !== 'closed')

/** Time from triage to a step of case work (acknowledgement, close) for one severity, against its target. */
export interface CaseTiming {
  severity: Severity
  /** The target from the settings (cases.targets_minutes), in seconds. */
  target_seconds: number
  /** Alerts that reached the step before the period's end; p50/p95 over them (seconds, nearest-rank; null when none). */
  count: number
  p50: number | null
  p95: number | null
  /** Reached within the target (at or before it). */
  met: number
  /** Reached, after the target. */
  missed: number
  /** Not reached by the period's end, and the target had passed: missed too, and still outstanding. */
  overdue: number
  /** Not reached by the period's end, the target still ahead. */
  pending: number
}

export interface RuleCaseLine {
  /** The rule id (matched_rules of the audit entry); null: no rule matched (the default severity). */
  rule: string | null
  /** Alerts this rule matched (an alert that matched several rules counts once under each). */
  alerts: number
  closed: number
  /** Closed alerts per disposition, in the order of `dispositions`. */
  by_disposition: Record<string, number>
  false_positive: number
  /** false_positive ÷ alerts, and ÷ closed (null when there are none). */
  false_positive_share: number | null
  false_positive_share_of_closed: number | null
}

export interface CaseWork {
  /** The figures are the cases as their events stood here: the period's end (exclusive), or the report's time if earlier. */
  as_of: string
  /** Alerts triaged in the period (each has a case, from the moment it is triaged). */
  alerts: number
  closed: number
  /** Events counted (recorded before the period's end, for these alerts). */
  events: number
  /** The targets and four-eyes rule the figures were measured against (the settings when the report was made). */
  policy: { ack_target_seconds: SeverityCounts; close_target_seconds: SeverityCounts; four_eyes: Severity[] }
  /** Closed alerts per disposition and severity: the settings' dispositions first (zero rows kept), then others seen. */
  dispositions: Array<{ disposition: string; counts: SeverityCounts; total: number }>
  /** Per rule, most alerts first. */
  by_rule: RuleCaseLine[]
  time_to_acknowledge: CaseTiming[]
  /** To the close taking effect (the approval, under four-eyes). */
  time_to_close: CaseTiming[]
  four_eyes: {
    /** Closes recorded as needing a second person's approval. */
    closes_needing_approval: number
    approved: number
    rejected: number
    /** Alerts whose close still waited for approval at the period's end. */
    pending: number
    /** Approvals by a person other than the one who closed (all of them: the desk refuses a self-approval). */
    approved_by_other: number
    self_approved: number
  }
  /** Regulatory clocks of these alerts: stopped in time (met), stopped late (missed), running, running past due (overdue). */
  clocks: Array<{ kind: ClockKind; started: number; met: number; missed: number; running: number; overdue: number }>
  /** Alerts not closed at the period's end, per state and severity. */
  open_at_end: Array<{ state: Exclude<CaseState, 'closed'>; counts: SeverityCounts; total: number }>
}

/** A step of case work (acknowledgement, close) for one alert at the period's end. */
export interface CaseStep {
  /** Seconds from triage to the step, or null when it was not reached before the period's end. */
  seconds: number | null
  /** met / missed: reached within / after the target; overdue / pending: not reached, the target passed / still ahead. */
  outcome: 'met' | 'missed' | 'overdue' | 'pending'
}

/** One alert's case at the period's end: its events before the end, the case they derive, and its two steps. */
export interface AlertCase {
  events: CaseAlert['events']
  view: CaseView
  ack: CaseStep
  close: CaseStep
}

/**
 * Where the figures are cut: the period's end, or the report's time when the period has not ended yet (a report of
 * today does not call what is due later today overdue). Events before the cut count; what is overdue is judged at it.
 */
export interface CaseCut {
  asOfMs: number
}

export function caseCut(period: Period, now: Date = new Date()): CaseCut {
  return { asOfMs: Math.min(Date.parse(period.to), now.getTime()) }
}

export function alertCase(a: CaseAlert, cut: CaseCut, policy: CasePolicy): AlertCase {
  const events = a.events.filter((e) => Date.parse(e.at) < cut.asOfMs)
  const view = deriveCase(events, cut.asOfMs)
  const triaged = Date.parse(a.triaged_at)
  const step = (at: string | null, targetMs: number): CaseStep => {
    if (at === null) return { seconds: null, outcome: cut.asOfMs > triaged + targetMs ? 'overdue' : 'pending' }
    const ms = Date.parse(at) - triaged
    return { seconds: ms / 1000, outcome: ms <= targetMs ? 'met' : 'missed' }
  }
  return {
    events,
    view,
    ack: step(view.acknowledged_at, policy.targets.ack[a.severity]),
    close: step(view.state === 'closed' ? view.closed_at : null, policy.targets.close[a.severity])
  }
}

function tally(t: Timing, s: CaseStep): void {
  if (s.seconds !== null) t.times.push(s.seconds)
  t[s.outcome]++
}

interface Timing {
  times: Numbers
  met: number
  missed: number
  overdue: number
  pending: number
}
const timing = (): Timing => ({ times: new Numbers(), met: 0, missed: 0, overdue: 0, pending: 0 })

/** Accumulates the figures one alert at a time. */
class CaseFigures {
  private readonly cut: CaseCut
  private alerts = 0
  private closed = 0
  private events = 0
  private readonly dispositions = new Map<string, SeverityCounts>()
  private readonly rules = new Map<string | null, { alerts: number; closed: number; by: Map<string, number> }>()
  private readonly ack = Object.fromEntries(SEVERITIES.map((s) => [s, timing()])) as Record<Severity, Timing>
  private readonly close = Object.fromEntries(SEVERITIES.map((s) => [s, timing()])) as Record<Severity, Timing>
  private readonly fourEyes = { closes_needing_approval: 0, approved: 0, rejected: 0, pending: 0, approved_by_other: 0, self_approved: 0 }
  private readonly clocks = new Map<ClockKind, { started: number; met: number; missed: number; running: number; overdue: number }>(
    CLOCK_KINDS.map((k) => [k, { started: 0, met: 0, missed: 0, running: 0, overdue: 0 }])
  )
  private readonly open = new Map(OPEN_STATES.map((s) => [s, zero()]))

  constructor(
    period: Period,
    private readonly policy: CasePolicy,
    now?: Date
  ) {
    this.cut = caseCut(period, now)
    for (const d of policy.dispositions) this.dispositions.set(d, zero())
  }

  add(a: CaseAlert): void {
    const c = alertCase(a, this.cut, this.policy)
    const v = c.view
    const sev = a.severity
    this.alerts++
    this.events += c.events.length
    const isClosed = v.state === 'closed'
    const d = v.disposition ?? '(none)'
    if (isClosed) {
      this.closed++
      let n = this.dispositions.get(d)
      if (!n) this.dispositions.set(d, (n = zero()))
      n[sev]++
    } else this.open.get(v.state as Exclude<CaseState, 'closed'>)![sev]++

    for (const rule of a.rules.length ? new Set(a.rules) : [null]) {
      let r = this.rules.get(rule)
      if (!r) this.rules.set(rule, (r = { alerts: 0, closed: 0, by: new Map() }))
      r.alerts++
      if (isClosed) {
        r.closed++
        r.by.set(d, (r.by.get(d) ?? 0) + 1)
      }
    }

    tally(this.ack[sev], c.ack)
    tally(this.close[sev], c.close)
    this.countFourEyes(c.events, v)
    for (const k of v.clocks) {
      const n = this.clocks.get(k.kind)
      if (!n) continue
      n.started++
      n[k.state]++
    }
  }

  /** Approvals and rejections answer the close pending just before them, as derive says it stood then. */
  private countFourEyes(events: CaseAlert['events'], v: CaseView): void {
    const f = this.fourEyes
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!
      if (e.type === 'closed') {
        if ((JSON.parse(e.data) as { requires_approval?: boolean }).requires_approval) f.closes_needing_approval++
      } else if (e.type === 'approved' || e.type === 'rejected') {
        const pending = deriveCase(events.slice(0, i)).pending
        if (!pending) continue
        if (e.type === 'rejected') f.rejected++
        else {
          f.approved++
          if (samePerson(pending.by, e.by)) f.self_approved++
          else f.approved_by_other++
        }
      }
    }
    if (v.state === 'pending_approval') f.pending++
  }

  result(): CaseWork {
    const known = new Set(this.policy.dispositions)
    const dispositions = [...this.policy.dispositions, ...[...this.dispositions.keys()].filter((d) => !known.has(d)).sort(byteOrder)].map((disposition) => {
      const counts = this.dispositions.get(disposition)!
      return { disposition, counts, total: sum(counts) }
    })
    const codes = dispositions.map((d) => d.disposition)
    const share = (n: number, of: number) => (of ? n / of : null)
    const by_rule = [...this.rules]
      .map(([rule, r]): RuleCaseLine => {
        const fp = r.by.get(FALSE_POSITIVE) ?? 0
        return {
          rule,
          alerts: r.alerts,
          closed: r.closed,
          by_disposition: Object.fromEntries(codes.map((c) => [c, r.by.get(c) ?? 0])),
          false_positive: fp,
          false_positive_share: share(fp, r.alerts),
          false_positive_share_of_closed: share(fp, r.closed)
        }
      })
      .sort((a, b) => b.alerts - a.alerts || (a.rule === null ? 1 : b.rule === null ? -1 : byteOrder(a.rule, b.rule)))
    const timings = (t: Record<Severity, Timing>, targets: Record<Severity, number>): CaseTiming[] =>
      ORDER.map((s) => {
        const sorted = t[s].times.sorted() as unknown as number[]
        return {
          severity: s,
          target_seconds: targets[s] / 1000,
          count: sorted.length,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          met: t[s].met,
          missed: t[s].missed,
          overdue: t[s].overdue,
          pending: t[s].pending
        }
      })
    const seconds = (m: Record<Severity, number>) => Object.fromEntries(SEVERITIES.map((s) => [s, m[s] / 1000])) as SeverityCounts
    return {
      as_of: new Date(this.cut.asOfMs).toISOString(),
      alerts: this.alerts,
      closed: this.closed,
      events: this.events,
      policy: {
        ack_target_seconds: seconds(this.policy.targets.ack),
        close_target_seconds: seconds(this.policy.targets.close),
        four_eyes: ORDER.filter((s) => this.policy.fourEyes.has(s))
      },
      dispositions,
      by_rule,
      time_to_acknowledge: timings(this.ack, this.policy.targets.ack),
      time_to_close: timings(this.close, this.policy.targets.close),
      four_eyes: { ...this.fourEyes },
      clocks: CLOCK_KINDS.map((kind) => ({ kind, ...this.clocks.get(kind)! })),
      open_at_end: OPEN_STATES.map((state) => {
        const counts = this.open.get(state)!
        return { state, counts, total: sum(counts) }
      })
    }
  }
}

/** The case-work figures of a period, read a chunk of alerts at a time. */
export async function buildCaseWork(q: ReportQueries, period: Period, policy: CasePolicy, now?: Date): Promise<CaseWork> {
  const f = new CaseFigures(period, policy, now)
  await eachRow(q.caseAlerts(period), (chunk) => {
    for (const a of chunk) f.add(a)
  })
  return f.result()
}

/** One order in every store and locale (codes and rule ids are ASCII). */
function byteOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
