// The SLA report as plain data (for the PDF, the app's charts and the API). One pass over the entries of the
// period; everything else is small grouped queries.
import { SEVERITIES, type Severity } from '../model.js'
import { percentile } from '../sla/index.js'
import type {
  ChainHead,
  DuplicateRow,
  EntryBrief,
  EntryRange,
  FallbackRow,
  Period,
  QuarantineRow,
  ReportQueries,
  ResolutionRow,
  RunBrief,
  SilencedCounts
} from '../ports/reports.js'
import { defaultCasePolicy, type CasePolicy } from '../case/policy.js'
import { buildCaseWork, type CaseWork } from './case-figures.js'
import { buildGovernance, type GovernanceFigures } from './governance-figures.js'
import { daysBetween, periodDays } from './period.js'
import { Numbers } from './numbers.js'
import { eachRow } from './rows.js'

export type SeverityCounts = Record<Severity, number>

export interface TimeToTriage {
  severity: Severity
  count: number
  /** Seconds, nearest-rank percentiles (null when no alert of this severity). */
  p50: number | null
  p95: number | null
  max: number | null
  /** The SLA target(s) recorded with the entries, in seconds (more than one if the settings changed). */
  targets: number[]
  breaches: number
}

export interface Breach extends EntryBrief {
  overrun_seconds: number
}

export interface DeliveryLine {
  destination: string
  total: number
  /** By status: the outbox's statuses, and 'silenced' for deliveries a silence held back (never in the outbox, never sent). */
  by_status: Record<string, number>
  /** failed + dead + uncertain: deliveries that did not (surely) reach the destination. */
  failures: number
  attempts: number
  /** From the delivery-attempt log; null when the database has none. */
  failed_attempts: number | null
  fallbacks: number | null
}

export interface RuleSetInForce {
  version: string
  name: string | null
  path: string | null
  first_used_at: string | null
  entries: number
  runs: number
  first_triaged_at: string | null
  last_triaged_at: string | null
}

export interface SlaReport {
  period: Period & { basis: 'triaged_at' }
  generated_at: string
  chain_head: ChainHead
  /** The entries triaged in the period and the id range that holds them (the examiner pack exports that range). */
  entries: { in_period: number; range: EntryRange | null }
  totals: { received: number; triaged: number; duplicates: number; quarantined: number; breaches: number }
  by_severity: SeverityCounts
  by_source: Array<{ source_kind: string; counts: SeverityCounts; total: number }>
  by_source_file: Array<{ source_kind: string; source_file: string; total: number }>
  time_to_triage: TimeToTriage[]
  /** Worst first (largest overrun past the target), at most `limit`. */
  breaches: { total: number; shown: Breach[] }
  volume_per_day: Array<{ day: string; counts: SeverityCounts; total: number }>
  deliveries: {
    lines: DeliveryLine[]
    /** Whether the database keeps the delivery logs (attempts, fallbacks); without them fallbacks are null. */
    attempt_log: boolean
    total: number
    failures: number
    fallbacks: number | null
    /** The fallbacks taken, in order, at most `limit`. */
    fallback_rows: FallbackRow[]
  }
  duplicates: { total: number; by_source_file: Array<{ source_kind: string; source_file: string; count: number }>; shown: DuplicateRow[] }
  quarantine: {
    total: number
    by_field: Array<{ source_kind: string; field: string | null; count: number }>
    shown: QuarantineRow[]
    /** Records received again whose bytes were quarantined before (within duplicates.total). */
    repeats: number
    /** Officers' resolutions made in the period: corrected records (triaged) and dismissals. */
    resolutions: { corrected: number; dismissed: number; shown: ResolutionRow[] }
  }
  rulesets: RuleSetInForce[]
  runs: { total: number; shown: RunBrief[] }
  /** What officers did with the alerts of the period, as their case events stood at its end. */
  case_work: CaseWork
  /** Rule governance: the silences in force in the period and what they held back, and the rule sets' history in it. */
  governance: GovernanceFigures
}

export interface ReportOptions {
  /** Rows listed in the summary's breach, duplicate, quarantine and run tables (all rows are in the CSVs). */
  limit?: number
  now?: Date
  /** The settings' case policy (targets, four-eyes, dispositions) the case-work figures are measured by; default settings when not given. */
  cases?: CasePolicy
}

const FAILED_STATUSES = new Set(['failed', 'dead', 'uncertain'])
/** The status of a delivery a silence held back (delivery_silences): recorded with the silence's id, never sent. */
const SILENCED = 'silenced'
/** Highest severity first: the order every table and chart uses. */
export const SEVERITY_ORDER: Severity[] = [...SEVERITIES].reverse()
const zero = (): SeverityCounts => ({ critical: 0, high: 0, medium: 0, low: 0 })

/** Keeps the k largest by score without holding every breach. */
class TopK {
  private items: Array<[score: number, id: number]> = []
  constructor(private readonly k: number) {}
  push(score: number, id: number) {
    this.items.push([score, id])
    if (this.items.length >= this.k * 4 + 64) this.trim()
  }
  private trim() {
    this.items.sort((a, b) => b[0] - a[0] || a[1] - b[1])
    this.items.length = Math.min(this.items.length, this.k)
  }
  result(): Array<[number, number]> {
    this.trim()
    return this.items
  }
}

export async function buildSlaReport(q: ReportQueries, period: Period, opts: ReportOptions = {}): Promise<SlaReport> {
  const limit = opts.limit ?? 100
  const generated_at = (opts.now ?? new Date()).toISOString()
  const chain_head = await q.chainHead()

  // One pass over the entries of the period, which the store hands over a chunk at a time, already counted.
  const bySeverity = zero()
  const bySource = new Map<string, SeverityCounts>()
  const byFile = new Map<string, { source_kind: string; source_file: string; total: number }>()
  const times = Object.fromEntries(SEVERITIES.map((s) => [s, new Numbers()])) as Record<Severity, Numbers>
  const targets = Object.fromEntries(SEVERITIES.map((s) => [s, new Set<number>()])) as Record<Severity, Set<number>>
  const breachCount = zero()
  const worst = new TopK(limit)
  const perDay = new Map<string, SeverityCounts>()
  const perRuleSet = new Map<string, { entries: number; firstId: number | null; lastId: number | null }>()
  let count = 0
  let firstId = Infinity
  let lastId = -Infinity

  await eachRow(q.entryFacts(period), (c) => {
    count += c.count
    firstId = Math.min(firstId, c.first_id)
    lastId = Math.max(lastId, c.last_id)
    for (const g of c.groups) {
      bySeverity[g.severity] += g.count
      let src = bySource.get(g.source_kind)
      if (!src) bySource.set(g.source_kind, (src = zero()))
      src[g.severity] += g.count
      const fileKey = `${g.source_kind}\u0000${g.source_file}`
      const f = byFile.get(fileKey)
      if (f) f.total += g.count
      else byFile.set(fileKey, { source_kind: g.source_kind, source_file: g.source_file, total: g.count })
      let d = perDay.get(g.day)
      if (!d) perDay.set(g.day, (d = zero()))
      d[g.severity] += g.count
      const rs = perRuleSet.get(g.ruleset_version)
      if (rs) rs.entries += g.count
      else perRuleSet.set(g.ruleset_version, { entries: g.count, firstId: null, lastId: null })
    }
    for (const s of SEVERITIES) {
      times[s].pushAll(c.sla_seconds[s])
      for (const t of c.targets[s]) targets[s].add(t)
      const b = c.breaches[s]
      breachCount[s] += b.id.length
      for (let i = 0; i < b.id.length; i++) worst.push(b.overrun[i]!, b.id[i]!)
    }
    for (const r of c.ruleset_ids) {
      const rs = perRuleSet.get(r.version)
      if (!rs) continue
      rs.firstId = rs.firstId === null ? r.first_id : Math.min(rs.firstId, r.first_id)
      rs.lastId = rs.lastId === null ? r.last_id : Math.max(rs.lastId, r.last_id)
    }
  })
  const range: EntryRange | null = count ? { first_id: firstId, last_id: lastId } : null

  const time_to_triage: TimeToTriage[] = SEVERITY_ORDER.map((s) => {
    const sorted = times[s].sorted()
    return {
      severity: s,
      count: sorted.length,
      p50: percentile(sorted as unknown as number[], 50),
      p95: percentile(sorted as unknown as number[], 95),
      max: sorted.length ? sorted[sorted.length - 1]! : null,
      targets: [...targets[s]].sort((a, b) => a - b),
      breaches: breachCount[s]
    }
  })

  // Rule sets: the first and last alert each classified, found by id (cheaper than reading every triaged_at).
  const ruleSetIds = [...perRuleSet.values()].flatMap((r) => (r.firstId === null || r.lastId === null ? [] : [r.firstId, r.lastId]))
  const worstIds = worst.result()
  const briefs = new Map((await q.entryBriefs([...new Set([...worstIds.map(([, id]) => id), ...ruleSetIds])])).map((b) => [b.id, b]))
  const shownBreaches: Breach[] = worstIds.flatMap(([overrun, id]) => {
    const b = briefs.get(id)
    return b ? [{ ...b, overrun_seconds: overrun }] : []
  })

  // Days with no alert still get a bar, so a quiet day is visible; long periods start at the first active day.
  const days = [...perDay.keys()].sort()
  const span = periodDays(period)
  const dayList = span.count <= 92 ? daysBetween(span.first, span.last) : days.length ? daysBetween(days[0]!, days.at(-1)!) : []
  const volume_per_day = dayList.map((day) => {
    const counts = perDay.get(day) ?? zero()
    return { day, counts, total: SEVERITIES.reduce((t, s) => t + counts[s], 0) }
  })

  const wholeRange = range !== null && count === range.last_id - range.first_id + 1
  const silenced: SilencedCounts = range ? await q.silencedCounts(period, range, wholeRange) : { alerts: [], deliveries: [] }
  const deliveries = await deliveryLines(q, period, range, wholeRange, silenced, limit)

  const duplicateGroups = await q.duplicateCount(period)
  const quarantineGroups = await q.quarantineCount(period)
  const duplicates = {
    total: duplicateGroups.reduce((t, g) => t + g.count, 0),
    by_source_file: duplicateGroups,
    shown: await q.duplicates(period, limit)
  }
  const quarantine = {
    total: quarantineGroups.reduce((t, g) => t + g.count, 0),
    by_field: quarantineGroups,
    shown: await q.quarantine(period, limit),
    repeats: await q.quarantineRepeatCount(period),
    resolutions: await q.resolutions(period, limit)
  }

  const runs = await q.runs(period)
  const runsPerVersion = new Map<string, number>()
  for (const r of runs) if (r.ruleset_version) runsPerVersion.set(r.ruleset_version, (runsPerVersion.get(r.ruleset_version) ?? 0) + 1)
  const versions = [...new Set([...perRuleSet.keys(), ...runsPerVersion.keys()])]
  const records = new Map((await q.rulesets(versions)).map((r) => [r.version, r]))
  const rulesets: RuleSetInForce[] = versions
    .map((v) => {
      const used = perRuleSet.get(v)
      const rec = records.get(v)
      return {
        version: v,
        name: rec?.name ?? null,
        path: rec?.path ?? null,
        first_used_at: rec?.first_used_at ?? null,
        entries: used?.entries ?? 0,
        runs: runsPerVersion.get(v) ?? 0,
        first_triaged_at: used?.firstId ? (briefs.get(used.firstId)?.triaged_at ?? null) : null,
        last_triaged_at: used?.lastId ? (briefs.get(used.lastId)?.triaged_at ?? null) : null
      }
    })
    .sort((a, b) => (a.first_used_at ?? '').localeCompare(b.first_used_at ?? '') || a.version.localeCompare(b.version))

  const case_work = await buildCaseWork(q, period, opts.cases ?? defaultCasePolicy(), new Date(generated_at))
  const governance = await buildGovernance(q, period, silenced, new Date(generated_at))

  const breaches = SEVERITIES.reduce((t, s) => t + breachCount[s], 0)
  return {
    period: { ...period, basis: 'triaged_at' },
    generated_at,
    chain_head,
    entries: { in_period: count, range },
    totals: { received: count + duplicates.total + quarantine.total, triaged: count, duplicates: duplicates.total, quarantined: quarantine.total, breaches },
    by_severity: bySeverity,
    by_source: [...bySource]
      .map(([source_kind, counts]) => ({ source_kind, counts, total: SEVERITIES.reduce((t, s) => t + counts[s], 0) }))
      .sort((a, b) => a.source_kind.localeCompare(b.source_kind)),
    by_source_file: [...byFile.values()].sort((a, b) => b.total - a.total || a.source_file.localeCompare(b.source_file)),
    time_to_triage,
    breaches: { total: breaches, shown: shownBreaches },
    volume_per_day,
    deliveries,
    duplicates,
    quarantine,
    rulesets,
    runs: { total: runs.length, shown: runs.slice(-limit) },
    case_work,
    governance
  }
}

async function deliveryLines(
  q: ReportQueries,
  period: Period,
  range: EntryRange | null,
  wholeRange: boolean,
  silenced: SilencedCounts,
  limit: number
): Promise<SlaReport['deliveries']> {
  // With no entry in the period, an empty range still tells whether the database keeps delivery logs.
  const r = range ?? { first_id: 1, last_id: 0 }
  const lines = new Map<string, DeliveryLine>()
  const line = (destination: string) => {
    let l = lines.get(destination)
    if (!l) lines.set(destination, (l = { destination, total: 0, by_status: {}, failures: 0, attempts: 0, failed_attempts: null, fallbacks: null }))
    return l
  }
  if (range)
    for (const c of await q.deliveryCounts(period, range, wholeRange)) {
      const l = line(c.destination)
      l.total += c.count
      l.by_status[c.status] = (l.by_status[c.status] ?? 0) + c.count
      if (FAILED_STATUSES.has(c.status)) l.failures += c.count
      l.attempts += c.attempts
    }
  // Held back by silences: routed, recorded, never sent (no attempt, not a failure).
  for (const c of silenced.deliveries) {
    const l = line(c.destination)
    l.total += c.count
    l.by_status[SILENCED] = (l.by_status[SILENCED] ?? 0) + c.count
  }
  const log = await q.attemptCounts(period, r)
  for (const a of log ?? []) {
    const l = line(a.destination)
    l.failed_attempts = a.failed_attempts
    l.fallbacks = a.fallbacks
  }
  if (log)
    for (const l of lines.values()) {
      l.failed_attempts ??= 0
      l.fallbacks ??= 0
    }
  const fallbacks = await q.fallbacks(period, r, limit)
  const all = [...lines.values()].sort((a, b) => a.destination.localeCompare(b.destination))
  return {
    lines: all,
    attempt_log: log !== null,
    total: all.reduce((t, l) => t + l.total, 0),
    failures: all.reduce((t, l) => t + l.failures, 0),
    fallbacks: fallbacks ? fallbacks.total : null,
    fallback_rows: fallbacks?.shown ?? []
  }
}
