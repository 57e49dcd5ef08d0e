// The report's rule governance: the silences in force during the period with what each held back (the suppression
// ledger's third part: alerts triaged and recorded in full whose deliveries were never sent), and the history of the
// rule sets in the period (drafts, backtests with their headline figures, approvals, rejections, activations). Read
// from the governance events as they stood at the period's end (or now, before it ends), like the case work; the
// counts from delivery_silences for the entries triaged in the period.
import { deriveGovernance, type SilenceView } from '../governance/derive.js'
import type { GovernanceEventData, GovernanceEventRow, SilenceMatch } from '../governance/model.js'
import { SEVERITIES, type Severity } from '../model.js'
import type { Period, ReportQueries, SilencedCounts } from '../ports/reports.js'

type SeverityCounts = Record<Severity, number>
const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0 })

export interface SilenceLine {
  id: number
  matches: SilenceMatch[]
  /** Who added it and when (it holds from then). */
  by: string
  at: string
  until: string
  reason: string
  include_critical: boolean
  /** The second officer who approved silencing critical alerts (include_critical only). */
  approved_by: string | null
  approved_at: string | null
  expired_by: string | null
  expired_at: string | null
  expire_reason: string | null
  /** When it stopped holding: its expiry by hand, or its until. */
  ended_at: string
  /** Alerts of the period whose deliveries it held back, by severity, and those deliveries by destination. */
  alerts: number
  by_severity: SeverityCounts
  deliveries: number
  by_destination: Array<{ destination: string; count: number }>
}

export interface SilenceLedger {
  /** Every silence in force at any time in the period (and any other that held back deliveries of its alerts), by id. */
  silences: SilenceLine[]
  /** Alerts of the period whose deliveries a silence held back, and those deliveries. */
  alerts: number
  deliveries: number
}

export type RuleEventType = 'rules_drafted' | 'rules_backtested' | 'rules_approved' | 'rules_rejected' | 'rules_activated'

/** A backtest's headline figures, as recorded with it. */
export interface BacktestHeadline {
  /** The rule set it was compared with (null: the settings' rules file). */
  against: string | null
  from: string
  to: string
  alerts: number
  changed: number
  by_severity_before: Record<string, number>
  by_severity_after: Record<string, number>
  /** Deliveries the period's alerts had, and would have had under the draft. */
  deliveries_before: number
  deliveries_after: number
}

export interface RuleHistoryLine {
  /** The governance event's id. */
  id: number
  type: RuleEventType
  version: string
  /** The rule set's name, from its draft. */
  name: string | null
  by: string
  at: string
  /** Why (approvals, rejections, activations). */
  reason: string | null
  /** Drafts: the rule set in force when it was drafted. */
  based_on: string | null
  backtest: BacktestHeadline | null
  /** Activations: the backtest and the approval it relied on (event ids). */
  relied_on: { backtest: number; approval: number } | null
}

export interface RuleHistory {
  /** The rule set in force at the period's start and at its end (as_of); null: the settings' rules file (no activation yet). */
  in_force_at_start: string | null
  in_force_at_end: string | null
  /** The rule-set events of the period, in chain order. */
  events: RuleHistoryLine[]
}

export interface GovernanceFigures {
  /** The governance events are counted as they stood then: the period's end, or the report's time before it. */
  as_of: string
  /** The governance chain at the report (its whole chain is in the examiner pack). */
  events_total: number
  silences: SilenceLedger
  rule_history: RuleHistory
}

const RULE_EVENTS = new Set<string>(['rules_drafted', 'rules_backtested', 'rules_approved', 'rules_rejected', 'rules_activated'])
const sum = (r: Record<string, number>) => Object.values(r).reduce((t, n) => t + n, 0)

function lineOf(e: GovernanceEventRow, names: Map<string, string>): RuleHistoryLine {
  const d = JSON.parse(e.data) as GovernanceEventData[RuleEventType]
  const line: RuleHistoryLine = {
    id: e.id,
    type: e.type as RuleEventType,
    version: d.version,
    name: names.get(d.version) ?? null,
    by: e.by,
    at: e.at,
    reason: 'reason' in d ? d.reason : null,
    based_on: null,
    backtest: null,
    relied_on: null
  }
  if (e.type === 'rules_drafted') line.based_on = (d as GovernanceEventData['rules_drafted']).based_on
  if (e.type === 'rules_backtested') {
    const b = d as GovernanceEventData['rules_backtested']
    const f = b.figures
    line.backtest = {
      against: b.against,
      from: b.from,
      to: b.to,
      alerts: f.alerts,
      changed: f.changed,
      by_severity_before: f.by_severity_before,
      by_severity_after: f.by_severity_after,
      deliveries_before: sum(f.deliveries_before),
      deliveries_after: sum(f.deliveries_after)
    }
  }
  if (e.type === 'rules_activated') {
    const a = d as GovernanceEventData['rules_activated']
    line.relied_on = { backtest: a.backtest, approval: a.approval }
  }
  return line
}

/** When a silence stopped holding (its expiry by hand or its end), in ms. */
const endOf = (s: SilenceView) => Math.min(Date.parse(s.until), s.expired_at === null ? Infinity : Date.parse(s.expired_at))

/** `counts`: what silences held back for the entries of the period (ReportQueries.silencedCounts). */
export async function buildGovernance(q: ReportQueries, period: Period, counts: SilencedCounts, now: Date): Promise<GovernanceFigures> {
  const asOfMs = Math.min(Date.parse(period.to), now.getTime())
  const fromMs = Date.parse(period.from)
  const all = await q.governanceEvents()
  const known = all.filter((e) => Date.parse(e.at) < asOfMs)
  const atEnd = deriveGovernance(known)
  const atStart = deriveGovernance(known.filter((e) => Date.parse(e.at) < fromMs))

  const held = new Map<number, { by_severity: SeverityCounts; by_destination: Array<{ destination: string; count: number }> }>()
  const heldOf = (id: number) => held.get(id) ?? held.set(id, { by_severity: zero(), by_destination: [] }).get(id)!
  for (const a of counts.alerts) heldOf(a.silence_id).by_severity[a.severity] += a.count
  for (const d of counts.deliveries) heldOf(d.silence_id).by_destination.push({ destination: d.destination, count: d.count })

  // A silence that held back alerts of the period is listed even if the clocks of two workstations disagree on when.
  const whole = deriveGovernance(all)
  const view = new Map([...whole.silences, ...atEnd.silences].map((s) => [s.id, s]))
  const ids = new Set([...atEnd.silences.filter((s) => endOf(s) > fromMs).map((s) => s.id), ...[...held.keys()].filter((id) => view.has(id))])
  const listed = [...ids].sort((a, b) => a - b).map((id) => view.get(id)!)
  const silences: SilenceLine[] = listed.map((s) => {
    const h = held.get(s.id) ?? { by_severity: zero(), by_destination: [] }
    return {
      id: s.id,
      matches: s.matches,
      by: s.by,
      at: s.at,
      until: s.until,
      reason: s.reason,
      include_critical: s.include_critical,
      approved_by: s.approved_by,
      approved_at: s.approved_at,
      expired_by: s.expired_by,
      expired_at: s.expired_at,
      expire_reason: s.expire_reason,
      ended_at: new Date(endOf(s)).toISOString(),
      alerts: SEVERITIES.reduce((t, v) => t + h.by_severity[v], 0),
      by_severity: h.by_severity,
      deliveries: h.by_destination.reduce((t, d) => t + d.count, 0),
      by_destination: h.by_destination
    }
  })
  // Held back by a silence the chain does not name (it cannot happen through the engine): still counted in the totals.
  const alerts = counts.alerts.reduce((t, a) => t + a.count, 0)
  const deliveries = counts.deliveries.reduce((t, d) => t + d.count, 0)

  const names = new Map([...whole.ruleSets.values()].map((r) => [r.version, r.name]))
  const events = known.filter((e) => RULE_EVENTS.has(e.type) && Date.parse(e.at) >= fromMs).map((e) => lineOf(e, names))
  return {
    as_of: new Date(asOfMs).toISOString(),
    events_total: all.length,
    silences: { silences, alerts, deliveries },
    rule_history: { in_force_at_start: atStart.active, in_force_at_end: atEnd.active, events }
  }
}
