// The backtest ("what-if") of a draft rule set: the alerts triaged in a period are replayed under the draft — each
// stored normalized alert (the entry's payload, with its created_at_ms) classified by compileRuleSet(draft) and
// routed by the routing matrix given — and compared with what is stored on its entry ("before": the severity and
// destinations the rule set in force decided then). Case dispositions say how far the draft agrees with what the
// officers found. Pure apart from the port it reads (core/ports/backtest.ts): a chunk of alerts at a time, so a
// period of 1M alerts is never held. runBacktestInWorker (store/backtest-thread.ts) runs it off the caller's
// event loop.
import { compileRuleSet, type RuleSet } from '../classify/index.js'
import type { BacktestFigures } from '../governance/model.js'
import { SEVERITIES, severityRank, type Alert, type Severity } from '../model.js'
import type { BacktestQueries } from '../ports/backtest.js'
import type { Period } from '../ports/reports.js'
import type { Trail } from '../ports/trail.js'
import type { RoutingMatrix } from '../route/index.js'

/** changed_ids holds the first this many changed alerts (ascending entry ids). */
const CHANGED_IDS_SHOWN = 1_000
/** agreement.escalated_or_sar.lowered_below_high_ids holds the first this many. */
const LOWERED_IDS_SHOWN = 100

export interface BacktestInput {
  /** The rule set to try. */
  draft: RuleSet
  /** The routing matrix the draft's severities are routed by (usually the settings' routing). */
  routing: RoutingMatrix
  /** The alerts triaged in [from, to) (triaged_at, ISO 8601), as the reports select them. */
  period: Period
  /** After each chunk: alerts replayed so far, and the period's total. */
  onProgress?: (done: number, total: number) => void
}

/** What the draft does to the alerts of one disposition code. */
export type DispositionFigures = {
  total: number
  /** severity rank after < before */
  lowered: number
  kept: number
  /** severity rank after > before */
  raised: number
}

/**
 * How far the draft agrees with the officers' dispositions. Only closed alerts count: an alert has a disposition
 * once a close took effect (approved, where four-eyes applied) and until it is reopened; alerts without one are
 * not closed and are left out.
 */
export type BacktestAgreement = {
  /** Alerts of the period with a disposition. */
  closed: number
  /** Per disposition code (every code found, custom ones too). */
  by_disposition: Record<string, DispositionFigures>
  false_positive: { total: number; lowered: number; raised: number }
  not_suspicious: { total: number; lowered: number; raised: number }
  /**
   * Alerts closed as escalated or sar_filed. lowered_below_high: the draft lowers the severity, to medium or low —
   * the figure that matters most (a case an officer found serious would leave the high/critical queue and its
   * destinations). Their ids: the first LOWERED_IDS_SHOWN, ascending.
   */
  escalated_or_sar: { total: number; escalated: number; sar_filed: number; lowered_below_high: number; lowered_below_high_ids: number[] }
  /** Closed alerts whose disposition suggests a direction (false_positive, not_suspicious, escalated, sar_filed). */
  rated: number
  /** Of those, how many the draft agrees with (see AGREEMENT_DEFINITION). */
  agreeing: number
  /** agreeing / rated, rounded to 4 decimals; null when no closed alert has such a disposition. */
  rate: number | null
  definition: string
}

/**
 * The agreement rate. A disposition suggests a direction: false_positive and not_suspicious say the alert was
 * rated too high (or right), escalated and sar_filed say it was serious. The draft agrees with
 *   - a false_positive / not_suspicious alert when it lowers or keeps its severity (after ≤ before);
 *   - an escalated / sar_filed alert unless it lowers it below high (after ≥ before, or after ≥ high).
 * rate = agreeing / rated, over the closed alerts with one of these four dispositions; other codes are not rated.
 */
const AGREEMENT_DEFINITION =
  'share of closed alerts with a false_positive, not_suspicious, escalated or sar_filed disposition where the draft moves the severity the way the disposition suggests or keeps it: false_positive / not_suspicious lowered or kept; escalated / sar_filed not lowered below high (after >= before, or after >= high)'

/** BacktestFigures with its open parts typed: every severity in by_severity_*, the agreement as above. */
export type BacktestResult = BacktestFigures & {
  by_severity_before: Record<Severity, number>
  by_severity_after: Record<Severity, number>
  agreement: BacktestAgreement
}

const LOWER_DISPOSITIONS = new Set(['false_positive', 'not_suspicious'])
const SERIOUS_DISPOSITIONS = new Set(['escalated', 'sar_filed'])
const HIGH = severityRank('high')
const N = SEVERITIES.length
const RANK = new Map<string, number>(SEVERITIES.map((s, i) => [s, i]))

interface DestinationSet {
  /** Each destination once. */
  list: string[]
  /** The set as one comparable string (sorted). */
  key: string
}

function destinationSet(list: readonly string[]): DestinationSet {
  const unique = [...new Set(list)]
  return { list: unique, key: JSON.stringify([...unique].sort()) }
}

const turn = () => new Promise<void>((ok) => setImmediate(ok))

/**
 * Replays the period's stored alerts under the draft. "changed": the severity differs, or the set of destinations
 * does (the same destinations in another order is no change; deliveries are one per alert and destination).
 * Deliveries count each alert once per destination. transitions counts every "before->after" pair that occurs,
 * unchanged ones ("high->high") included, so they sum to alerts.
 */
export async function backtest(source: BacktestQueries, input: BacktestInput): Promise<BacktestResult> {
  const classify = compileRuleSet(input.draft)
  const routedBy = SEVERITIES.map((s) => destinationSet(input.routing[s] ?? []))
  const total = await source.backtestCount(input.period)
  const before = new Array<number>(N).fill(0)
  const after = new Array<number>(N).fill(0)
  const pairs = new Array<number>(N * N).fill(0)
  /** Stored destinations text → its set, and how many alerts had it. */
  const stored = new Map<string, DestinationSet & { alerts: number }>()
  const changedIds: number[] = []
  let alerts = 0
  let changed = 0
  const byDisposition = new Map<string, DispositionFigures>()
  const lowered = { false_positive: 0, not_suspicious: 0 }
  const raised = { false_positive: 0, not_suspicious: 0 }
  let serious = 0,
    loweredBelowHigh = 0,
    rated = 0,
    agreeing = 0
  const loweredIds: number[] = []

  input.onProgress?.(0, total)
  for await (const c of source.backtestRows(input.period)) {
    const n = c.id.length
    for (let i = 0; i < n; i++) {
      const id = c.id[i]!
      const sb = RANK.get(c.severity[i]!)
      if (sb === undefined) throw new Error(`audit entry ${id} has an unknown severity (${c.severity[i]})`)
      let alert: Alert
      try {
        alert = JSON.parse(c.payload[i]!) as Alert
      } catch (e) {
        throw new Error(`audit entry ${id}: its stored alert cannot be read (${(e as Error).message})`)
      }
      const sa = severityRank(classify(alert, c.created_at_ms[i]!).severity)
      const destText = c.destinations[i]!
      let d = stored.get(destText)
      if (!d) stored.set(destText, (d = { ...destinationSet(JSON.parse(destText) as string[]), alerts: 0 }))
      d.alerts++
      before[sb]!++
      after[sa]!++
      pairs[sb * N + sa]!++
      if (sa !== sb || d.key !== routedBy[sa]!.key) {
        changed++
        if (changedIds.length < CHANGED_IDS_SHOWN) changedIds.push(id)
      }
      const disposition = c.disposition[i]
      if (disposition === null || disposition === undefined) continue
      let f = byDisposition.get(disposition)
      if (!f) byDisposition.set(disposition, (f = { total: 0, lowered: 0, kept: 0, raised: 0 }))
      f.total++
      if (sa < sb) f.lowered++
      else if (sa > sb) f.raised++
      else f.kept++
      if (LOWER_DISPOSITIONS.has(disposition)) {
        rated++
        if (sa <= sb) agreeing++
        if (sa < sb) lowered[disposition as keyof typeof lowered]++
        if (sa > sb) raised[disposition as keyof typeof raised]++
      } else if (SERIOUS_DISPOSITIONS.has(disposition)) {
        rated++
        serious++
        if (sa < sb && sa < HIGH) {
          loweredBelowHigh++
          if (loweredIds.length < LOWERED_IDS_SHOWN) loweredIds.push(id)
        } else agreeing++
      }
    }
    alerts += n
    input.onProgress?.(alerts, Math.max(total, alerts))
    await turn() // a caller on its own event loop (the in-process variant) gets a turn between chunks
  }

  const perSeverity = (counts: number[]) => Object.fromEntries(SEVERITIES.map((s, i) => [s, counts[i]!])) as Record<Severity, number>
  const transitions: Record<string, number> = {}
  for (let b = 0; b < N; b++) for (let a = 0; a < N; a++) if (pairs[b * N + a]) transitions[`${SEVERITIES[b]}->${SEVERITIES[a]}`] = pairs[b * N + a]!
  const deliveriesBefore = new Map<string, number>()
  const deliveriesAfter = new Map<string, number>()
  for (const d of stored.values()) for (const x of d.list) deliveriesBefore.set(x, (deliveriesBefore.get(x) ?? 0) + d.alerts)
  SEVERITIES.forEach((_, i) => {
    if (after[i]) for (const x of routedBy[i]!.list) deliveriesAfter.set(x, (deliveriesAfter.get(x) ?? 0) + after[i]!)
  })
  // Both sides list every destination either side has (0 where it gets none), in name order.
  const names = [...new Set([...deliveriesBefore.keys(), ...deliveriesAfter.keys()])].sort()
  const dispositionCount = (code: string) => byDisposition.get(code)?.total ?? 0
  return {
    alerts,
    changed,
    by_severity_before: perSeverity(before),
    by_severity_after: perSeverity(after),
    transitions,
    deliveries_before: Object.fromEntries(names.map((x) => [x, deliveriesBefore.get(x) ?? 0])),
    deliveries_after: Object.fromEntries(names.map((x) => [x, deliveriesAfter.get(x) ?? 0])),
    changed_ids: changedIds,
    agreement: {
      closed: [...byDisposition.values()].reduce((s, f) => s + f.total, 0),
      by_disposition: Object.fromEntries([...byDisposition.keys()].sort().map((k) => [k, byDisposition.get(k)!])),
      false_positive: { total: dispositionCount('false_positive'), lowered: lowered.false_positive, raised: raised.false_positive },
      not_suspicious: { total: dispositionCount('not_suspicious'), lowered: lowered.not_suspicious, raised: raised.not_suspicious },
      escalated_or_sar: {
        total: serious,
        escalated: dispositionCount('escalated'),
        sar_filed: dispositionCount('sar_filed'),
        lowered_below_high: loweredBelowHigh,
        lowered_below_high_ids: loweredIds
      },
      rated,
      agreeing,
      rate: rated ? Math.round((agreeing / rated) * 10_000) / 10_000 : null,
      definition: AGREEMENT_DEFINITION
    }
  }
}

/** The backtest in this thread, on a read snapshot of the trail of its own (tests; the worker runs this too). */
export async function backtestTrail(trail: Pick<Trail, 'openBacktest'>, input: BacktestInput): Promise<BacktestResult> {
  const session = await trail.openBacktest()
  try {
    return await backtest(session.queries, input)
  } finally {
    await session.close()
  }
}
