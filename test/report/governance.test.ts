// The SLA report's rule governance, on SQLite and on PostgreSQL: officers add silences (one that ended before the
// period, one expired by hand mid-period, one in force to the end, one including critical alerts approved by a
// second officer, one matching nothing, one added after the period) and take rule sets through change control (a
// draft, a backtest with hand-made figures, an approval by another officer, an activation; a second draft backtested
// and rejected), all through the GovernanceDesk with a clock the test moves; the real engine imports alerts before,
// during and after them, each run governed as the app governs it (governedRun). Every figure of the ledger and of the
// rule-set history equals the same figure computed here with plain loops over the script. Then the read side (alert
// detail, the alert CSV), and the examiner pack: governance-events.csv and delivery-silences.csv are in it and
// verify, and an edited, removed or reordered governance event, or a held-back delivery moved to another silence, is
// named by verify-pack.
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { parseRuleSet } from '../../src-main/core/classify/ruleset.js'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { GovernanceDesk, GovernanceRefusal } from '../../src-main/core/governance/desk.js'
import type { BacktestFigures, SilenceMatch } from '../../src-main/core/governance/model.js'
import { governedRun } from '../../src-main/core/governance/runtime.js'
import type { Severity } from '../../src-main/core/model.js'
import type { ReportSession } from '../../src-main/core/ports/trail.js'
import { buildSlaReport, exportReport, parsePeriod, verifyPack, writeExaminerPack, type SlaReport } from '../../src-main/core/report/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from '../case/fixture.js'
import { CSV_HEADER, DEFAULT_RULES, tempDir, writeFile } from '../helpers.js'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const PERIOD = parsePeriod('2026-11-02', '2026-11-30')
const FROM = Date.parse(PERIOD.from)
const END = Date.parse(PERIOD.to)
const NOW = new Date('2027-01-15T00:00:00.000Z')
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low']
const SCORE: Record<Severity, number> = { critical: 95, high: 80, medium: 50, low: 10 }
const HIGH_RISK = ['IR', 'RU', 'NG', 'PA', 'KY', 'AF', 'SY']
/** The default routing (resources and core/route), written out: the deliveries each alert has. */
const ROUTING: Record<Severity, string[]> = {
  critical: ['slack:compliance-critical', 'email:compliance-leads'],
  high: ['slack:compliance-high', 'email:compliance'],
  medium: ['slack:compliance-info'],
  low: ['email:archive']
}
const COUNTRIES = ['US', 'PA', 'GB', 'IR', 'DE', 'PA', 'FR']
const TYPES = ['wire', 'card', 'cash', 'card', 'sepa']
const ROWS_PER_IMPORT = 40

const DEFAULT_TEXT = readFileSync(DEFAULT_RULES, 'utf8')
const REVIEWED = parseRuleSet(DEFAULT_TEXT.replace('name: Default rule set', 'name: Default rule set (reviewed Nov 2026)'), 'rules/reviewed.yaml')
const STRICTER = parseRuleSet(DEFAULT_TEXT.replace('name: Default rule set', 'name: Default rule set (PA stricter)'), 'rules/stricter.yaml')

function figures(alerts: number, changed: number): BacktestFigures {
  return {
    alerts,
    changed,
    by_severity_before: { critical: 40, high: 90, medium: 120, low: alerts - 250 },
    by_severity_after: { critical: 41, high: 95, medium: 118, low: alerts - 254 },
    transitions: { 'medium>high': 5, 'high>critical': 1 },
    deliveries_before: { 'slack:compliance-critical': 40, 'email:compliance-leads': 40, 'email:archive': alerts - 250 },
    deliveries_after: { 'slack:compliance-critical': 41, 'email:compliance-leads': 41, 'email:archive': alerts - 254 },
    changed_ids: [3, 9, 27],
    agreement: { same: alerts - changed }
  }
}

/** A silence as scripted: what the expected figures are computed from (never the desk's state). */
interface ScriptedSilence {
  key: string
  id: number
  by: string
  at: number
  until: number
  matches: SilenceMatch[]
  reason: string
  include_critical: boolean
  approvedBy: string | null
  approvedAt: number | null
  expiredBy: string | null
  expiredAt: number | null
  expireReason: string | null
}

interface Row {
  id: number
  k: number
  triaged: number
  severity: Severity
  country: string
  txn_type: string
  customer: string
  destinations: string[]
}

type Step =
  | { at: string; do: 'import' }
  | { at: string; do: 'silence'; key: string; by: string; until: string; matches: SilenceMatch[]; reason: string; include_critical?: boolean }
  | { at: string; do: 'approve-silence' | 'expire-silence'; key: string; by: string; reason?: string }
  | {
      at: string
      do: 'draft' | 'backtest' | 'approve' | 'activate' | 'reject' | 'refused-approve' | 'refused-approve-silence'
      rules: 'reviewed' | 'stricter'
      by: string
      reason?: string
      key?: string
    }

const SCRIPT: Step[] = [
  { at: '2026-10-15T09:00:00.000Z', do: 'draft', rules: 'reviewed', by: 'alice' },
  {
    at: '2026-10-20T09:00:00.000Z',
    do: 'silence',
    key: 'old',
    by: 'alice',
    until: '2026-10-31T00:00:00.000Z',
    matches: [{ field: 'country', value: 'DE' }],
    reason: 'DE test feed'
  },
  { at: '2026-10-29T10:00:00.000Z', do: 'import' },
  {
    at: '2026-10-30T08:00:00.000Z',
    do: 'silence',
    key: 'pa',
    by: 'alice',
    until: '2027-01-10T00:00:00.000Z',
    matches: [{ field: 'country', value: 'pa' }],
    reason: 'PA correspondent onboarding, confirmed by the bank'
  },
  { at: '2026-10-31T10:00:00.000Z', do: 'import' },
  { at: '2026-11-02T09:00:00.000Z', do: 'import' },
  { at: '2026-11-03T09:00:00.000Z', do: 'backtest', rules: 'reviewed', by: 'alice' },
  { at: '2026-11-03T10:00:00.000Z', do: 'refused-approve', rules: 'reviewed', by: 'alice', reason: 'mine' },
  { at: '2026-11-03T11:00:00.000Z', do: 'approve', rules: 'reviewed', by: 'bob', reason: 'only the name changes; the backtest agrees' },
  { at: '2026-11-03T12:00:00.000Z', do: 'activate', rules: 'reviewed', by: 'carol', reason: 'reviewed in the November committee' },
  {
    at: '2026-11-05T08:00:00.000Z',
    do: 'silence',
    key: 'card',
    by: 'bob',
    until: '2027-01-20T00:00:00.000Z',
    matches: [{ field: 'txn_type', value: 'card' }],
    reason: 'card processor sends a duplicate feed'
  },
  {
    at: '2026-11-05T09:00:00.000Z',
    do: 'silence',
    key: 'none',
    by: 'carol',
    until: '2026-12-15T00:00:00.000Z',
    matches: [{ field: 'vendor', value: 'nobody@vendor.example' }],
    reason: 'a vendor not yet live'
  },
  { at: '2026-11-06T09:00:00.000Z', do: 'import' },
  {
    at: '2026-11-10T09:00:00.000Z',
    do: 'silence',
    key: 'c7',
    by: 'carol',
    until: '2026-12-20T00:00:00.000Z',
    include_critical: true,
    matches: [
      { field: 'customer_id', value: 'C7' },
      { field: 'currency', value: 'USD' }
    ],
    reason: 'C7 payroll pattern, reviewed; critical included'
  },
  { at: '2026-11-10T10:00:00.000Z', do: 'import' }, // C7's critical alerts are not held back: not approved yet
  { at: '2026-11-10T11:00:00.000Z', do: 'refused-approve-silence', rules: 'reviewed', key: 'c7', by: 'carol' },
  { at: '2026-11-10T12:00:00.000Z', do: 'approve-silence', key: 'c7', by: 'alice' },
  { at: '2026-11-12T09:00:00.000Z', do: 'import' },
  { at: '2026-11-15T16:00:00.000Z', do: 'expire-silence', key: 'pa', by: 'bob', reason: 'onboarding done' },
  { at: '2026-11-18T09:00:00.000Z', do: 'import' },
  { at: '2026-11-20T09:00:00.000Z', do: 'draft', rules: 'stricter', by: 'bob' },
  { at: '2026-11-21T09:00:00.000Z', do: 'backtest', rules: 'stricter', by: 'alice' },
  { at: '2026-11-22T09:00:00.000Z', do: 'reject', rules: 'stricter', by: 'carol', reason: 'changes PA severities without a reason' },
  { at: '2026-11-28T09:00:00.000Z', do: 'import' },
  {
    at: '2026-12-03T09:00:00.000Z',
    do: 'silence',
    key: 'after',
    by: 'alice',
    until: '2026-12-31T00:00:00.000Z',
    matches: [{ field: 'country', value: 'GB' }],
    reason: 'GB branch migration'
  },
  { at: '2026-12-05T09:00:00.000Z', do: 'import' },
  { at: '2026-12-06T09:00:00.000Z', do: 'expire-silence', key: 'card', by: 'carol', reason: 'the processor fixed its feed' }
]

interface Trail {
  rows: Row[]
  silences: Map<string, ScriptedSilence>
  /** Rule-set events as scripted: [id, type, version, by, at]. */
  ruleEvents: Array<{ id: number; type: string; version: string; by: string; at: string; reason: string | null }>
  events: number
}

const severityOf = (k: number, country: string): Severity => {
  const s = SEVERITIES[k % 4]!
  return HIGH_RISK.includes(country) && (s === 'medium' || s === 'low') ? 'high' : s
}

async function buildTrail(fx: CaseFixture): Promise<Trail> {
  const desk = new GovernanceDesk(fx.trail.governance, [], () => fx.clock.ms)
  const loaded = { settings: defaultSettings(), baseDir: fx.dir, source: 'test' }
  const out: Trail = { rows: [], silences: new Map(), ruleEvents: [], events: 0 }
  const rules = { reviewed: REVIEWED, stricter: STRICTER }
  let k = 0
  let n = 0
  const rule = (row: { id: number; type: string; by: string; at: string }, version: string, reason: string | null = null) =>
    out.ruleEvents.push({ id: row.id, type: row.type, version, by: row.by, at: row.at, reason })
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    for (const s of SCRIPT) {
      const at = Date.parse(s.at)
      fx.clock.ms = at
      vi.setSystemTime(at)
      switch (s.do) {
        case 'import': {
          // Governed as every run of the app is: the rule set in force and the silences, read from the trail at its start.
          const governed = await governedRun(fx.trail.governance, loaded, at)
          const before = (await fx.trail.store.totals()).triaged
          const specs = Array.from({ length: ROWS_PER_IMPORT }, () => {
            const kk = k++
            const country = COUNTRIES[kk % COUNTRIES.length]!
            return { k: kk, txn: `G${++n}`, country, txn_type: TYPES[kk % TYPES.length]!, customer: `C${kk % 9}`, severity: severityOf(kk, country) }
          })
          const created = new Date(at - 3 * MIN).toISOString()
          const lines = specs.map(
            (r) => `${r.txn},${r.customer},${(100 + r.k).toFixed(2)},USD,${r.country},${r.txn_type},${SCORE[SEVERITIES[r.k % 4]!]},${created}`
          )
          const file = writeFile(fx.dir, `import-${n}.csv`, [CSV_HEADER, ...lines].join('\n') + '\n')
          const run = await executeRun(
            { store: fx.trail.store, settings: defaultSettings(), ruleSet: governed.ruleSet, silences: governed.silences, trigger: 'test', parallel: 'never' },
            explicitFiles([file])
          )
          expect(run.status).toBe('ok')
          const after = (await fx.trail.store.totals()).triaged
          expect(after - before).toBe(ROWS_PER_IMPORT)
          // Entry ids follow the file's rows (one file, one writer).
          specs.forEach((r, i) =>
            out.rows.push({
              id: before + 1 + i,
              k: r.k,
              triaged: at,
              severity: r.severity,
              country: r.country,
              txn_type: r.txn_type,
              customer: r.customer,
              destinations: ROUTING[r.severity]
            })
          )
          break
        }
        case 'silence': {
          const row = await desk.addSilence({ matches: s.matches, until: s.until, reason: s.reason, include_critical: s.include_critical }, s.by)
          out.silences.set(s.key, {
            key: s.key,
            id: row.id,
            by: s.by,
            at,
            until: Date.parse(s.until),
            matches: s.matches,
            reason: s.reason,
            include_critical: s.include_critical ?? false,
            approvedBy: null,
            approvedAt: null,
            expiredBy: null,
            expiredAt: null,
            expireReason: null
          })
          break
        }
        case 'approve-silence': {
          const x = out.silences.get(s.key)!
          await desk.approveSilence(x.id, s.by)
          Object.assign(x, { approvedBy: s.by, approvedAt: at })
          break
        }
        case 'refused-approve-silence':
          await expect(desk.approveSilence(out.silences.get(s.key!)!.id, s.by)).rejects.toThrow(GovernanceRefusal)
          break
        case 'expire-silence': {
          const x = out.silences.get(s.key)!
          await desk.expireSilence(x.id, s.reason, s.by)
          Object.assign(x, { expiredBy: s.by, expiredAt: at, expireReason: s.reason })
          break
        }
        case 'draft': {
          await desk.draft(rules[s.rules].source, rules[s.rules].path, s.by)
          rule({ id: (await fx.trail.governance.governanceEvents()).at(-1)!.id, type: 'rules_drafted', by: s.by, at: s.at }, rules[s.rules].version)
          break
        }
        case 'backtest': {
          const against = s.rules === 'reviewed' ? null : REVIEWED.version
          const row = await desk.recordBacktest(
            rules[s.rules],
            against,
            { from: new Date(at - 30 * DAY).toISOString(), to: s.at },
            figures(s.rules === 'reviewed' ? 412 : 398, s.rules === 'reviewed' ? 0 : 37),
            s.by
          )
          rule(row, rules[s.rules].version)
          break
        }
        case 'refused-approve':
          await expect(desk.approve(rules[s.rules].version, s.reason!, s.by)).rejects.toThrow(/drafted it and cannot approve it/)
          break
        case 'approve':
          rule(await desk.approve(rules[s.rules].version, s.reason!, s.by), rules[s.rules].version, s.reason!)
          break
        case 'activate':
          rule(await desk.activate(rules[s.rules].version, s.reason!, s.by), rules[s.rules].version, s.reason!)
          break
        case 'reject':
          rule(await desk.reject(rules[s.rules].version, s.reason!, s.by), rules[s.rules].version, s.reason!)
          break
      }
    }
  } finally {
    vi.useRealTimers()
  }
  out.events = (await fx.trail.governance.governanceEvents()).length
  return out
}

// ── the expected figures, from the script alone ───────────────────────────────────────────────────────────────

/** Which scripted silence held back a row's deliveries: the lowest id in force at its triage that matches it. */
function heldBy(row: Row, silences: ScriptedSilence[]): ScriptedSilence | null {
  const value: Record<string, string> = { country: row.country, txn_type: row.txn_type, customer_id: row.customer, currency: 'USD' }
  for (const s of [...silences].sort((a, b) => a.id - b.id)) {
    const t = row.triaged
    if (!(s.at <= t && t < s.until && (s.expiredAt === null || t < s.expiredAt))) continue
    if (row.severity === 'critical' && !(s.include_critical && s.approvedAt !== null && s.approvedAt <= t)) continue
    if (s.matches.every((m) => value[m.field]?.toLowerCase() === m.value.toLowerCase())) return s
  }
  return null
}

interface Expected {
  inPeriod: Row[]
  held: Map<number, ScriptedSilence>
  perSilence: Map<number, { alerts: number; bySeverity: Record<Severity, number>; byDestination: Map<string, number> }>
  listed: number[]
  alerts: number
  deliveries: number
  byDestination: Map<string, { total: number; silenced: number }>
}

function expected(t: Trail): Expected {
  const silences = [...t.silences.values()]
  const inPeriod = t.rows.filter((r) => r.triaged >= FROM && r.triaged < END)
  const held = new Map<number, ScriptedSilence>()
  for (const r of t.rows) {
    const s = heldBy(r, silences)
    if (s) held.set(r.id, s)
  }
  const perSilence: Expected['perSilence'] = new Map()
  const byDestination: Expected['byDestination'] = new Map()
  let alerts = 0
  let deliveries = 0
  for (const r of inPeriod) {
    const s = held.get(r.id)
    for (const d of r.destinations) {
      const line = byDestination.get(d) ?? { total: 0, silenced: 0 }
      line.total++
      if (s) line.silenced++
      byDestination.set(d, line)
    }
    if (!s) continue
    alerts++
    const p = perSilence.get(s.id) ?? { alerts: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0 }, byDestination: new Map<string, number>() }
    p.alerts++
    p.bySeverity[r.severity]++
    for (const d of r.destinations) {
      p.byDestination.set(d, (p.byDestination.get(d) ?? 0) + 1)
      deliveries++
    }
    perSilence.set(s.id, p)
  }
  // In force at some time in the period, as the events stood at its end (an expiry after the end is not known then).
  const listed = silences
    .filter((s) => s.at < END && Math.min(s.until, s.expiredAt !== null && s.expiredAt < END ? s.expiredAt : Infinity) > FROM)
    .map((s) => s.id)
    .sort((a, b) => a - b)
  return { inPeriod, held, perSilence, listed, alerts, deliveries, byDestination }
}

const iso = (ms: number) => new Date(ms).toISOString()

describe.each(STORE_KINDS)('rule governance in the report on %s', (kind) => {
  let fx: CaseFixture
  let t: Trail
  let x: Expected
  let session: ReportSession
  let report: SlaReport
  const dir = tempDir('triage-governance-report-')

  beforeAll(async () => {
    fx = await caseFixture(kind)
    t = await buildTrail(fx)
    x = expected(t)
    session = await fx.trail.openReports()
    report = await session.queries.snapshot(() => buildSlaReport(session.queries, PERIOD, { now: NOW }))
  }, 180_000)

  afterAll(async () => {
    await session?.close()
    await fx?.close()
  })

  it('the script covers what the figures are about', () => {
    const s = t.silences
    const heldIn = (key: string) => x.perSilence.get(s.get(key)!.id)?.alerts ?? 0
    expect(x.inPeriod).toHaveLength(6 * ROWS_PER_IMPORT)
    for (const key of ['pa', 'card', 'c7']) expect(heldIn(key), key).toBeGreaterThan(0)
    expect(heldIn('none')).toBe(0)
    // Held back before and after the period too (not counted), and C7's critical alerts both ways.
    expect(t.rows.some((r) => r.triaged < FROM && x.held.has(r.id))).toBe(true)
    expect(t.rows.some((r) => r.triaged >= END && x.held.has(r.id))).toBe(true)
    const c7 = t.rows.filter((r) => r.customer === 'C7' && r.severity === 'critical' && r.triaged >= FROM && r.triaged < END && r.triaged >= s.get('c7')!.at)
    expect(c7.some((r) => x.held.get(r.id)?.key === 'c7')).toBe(true)
    expect(c7.some((r) => !x.held.has(r.id))).toBe(true) // before the second officer approved
    // PA alerts after the expiry are delivered again.
    expect(t.rows.some((r) => r.country === 'PA' && r.triaged > s.get('pa')!.expiredAt! && r.triaged < END && !x.held.has(r.id))).toBe(true)
    expect(x.perSilence.get(s.get('c7')!.id)!.bySeverity.critical).toBeGreaterThan(0)
    expect(x.perSilence.get(s.get('card')!.id)!.bySeverity.critical).toBe(0) // not include_critical
  })

  it('the ledger lists every silence in force in the period, with who added, approved and expired it', () => {
    const g = report.governance
    expect(g.as_of).toBe(PERIOD.to)
    expect(g.events_total).toBe(t.events)
    expect(g.silences.silences.map((l) => l.id)).toEqual(x.listed)
    const keys = g.silences.silences.map((l) => [...t.silences.values()].find((s) => s.id === l.id)!.key)
    expect(keys).toEqual(['pa', 'card', 'none', 'c7'])
    for (const line of g.silences.silences) {
      const s = [...t.silences.values()].find((v) => v.id === line.id)!
      const expiredInTime = s.expiredAt !== null && s.expiredAt < END
      expect(line).toMatchObject({
        id: s.id,
        by: s.by,
        at: iso(s.at),
        until: iso(s.until),
        reason: s.reason,
        include_critical: s.include_critical,
        matches: s.matches.map((m) => ({ field: m.field, value: m.value })),
        approved_by: s.approvedBy,
        approved_at: s.approvedAt === null ? null : iso(s.approvedAt),
        expired_by: expiredInTime ? s.expiredBy : null,
        expired_at: expiredInTime ? iso(s.expiredAt!) : null,
        expire_reason: expiredInTime ? s.expireReason : null,
        ended_at: iso(Math.min(s.until, expiredInTime ? s.expiredAt! : Infinity))
      })
    }
  })

  it('per silence: the alerts of the period it held back, by severity, and their deliveries by destination', () => {
    const g = report.governance.silences
    for (const line of g.silences) {
      const want = x.perSilence.get(line.id) ?? { alerts: 0, bySeverity: { critical: 0, high: 0, medium: 0, low: 0 }, byDestination: new Map() }
      expect({ id: line.id, alerts: line.alerts, by_severity: line.by_severity }).toEqual({ id: line.id, alerts: want.alerts, by_severity: want.bySeverity })
      expect(line.by_destination).toEqual(
        [...want.byDestination].map(([destination, count]) => ({ destination, count })).sort((a, b) => (a.destination < b.destination ? -1 : 1))
      )
      expect(line.deliveries).toBe([...want.byDestination.values()].reduce((a, b) => a + b, 0))
    }
    expect([g.alerts, g.deliveries]).toEqual([x.alerts, x.deliveries])
    // Silenced alerts are triaged and recorded in full: counted in every figure of the report.
    expect(report.totals.triaged).toBe(x.inPeriod.length)
  })

  it("the deliveries by destination have a 'silenced' status beside the outbox's", () => {
    const lines = report.deliveries.lines
    expect(lines.map((l) => l.destination)).toEqual([...x.byDestination.keys()].sort())
    for (const l of lines) {
      const want = x.byDestination.get(l.destination)!
      expect({ d: l.destination, total: l.total, silenced: l.by_status.silenced ?? 0, dry_run: l.by_status.dry_run ?? 0, failures: l.failures }).toEqual({
        d: l.destination,
        total: want.total,
        silenced: want.silenced,
        dry_run: want.total - want.silenced,
        failures: 0
      })
    }
    expect(report.deliveries.total).toBe([...x.byDestination.values()].reduce((a, b) => a + b.total, 0))
  })

  it('the rule-set history: the events of the period, with the backtest figures, and the rule set in force at start and end', () => {
    const h = report.governance.rule_history
    expect(h.in_force_at_start).toBeNull()
    expect(h.in_force_at_end).toBe(REVIEWED.version)
    const want = t.ruleEvents.filter((e) => Date.parse(e.at) >= FROM && Date.parse(e.at) < END)
    expect(want.map((e) => e.type)).toEqual(['rules_backtested', 'rules_approved', 'rules_activated', 'rules_drafted', 'rules_backtested', 'rules_rejected'])
    expect(h.events.map((e) => ({ id: e.id, type: e.type, version: e.version, by: e.by, at: e.at, reason: e.reason }))).toEqual(want)
    const [backtest, approval, activation, draft, ,] = h.events
    expect(backtest!.backtest).toEqual({
      against: null,
      from: iso(Date.parse('2026-11-03T09:00:00.000Z') - 30 * DAY),
      to: '2026-11-03T09:00:00.000Z',
      alerts: 412,
      changed: 0,
      by_severity_before: figures(412, 0).by_severity_before,
      by_severity_after: figures(412, 0).by_severity_after,
      deliveries_before: 40 + 40 + 162,
      deliveries_after: 41 + 41 + 158
    })
    expect(h.events[4]!.backtest).toMatchObject({ against: REVIEWED.version, alerts: 398, changed: 37 })
    expect(activation!.relied_on).toEqual({ backtest: backtest!.id, approval: approval!.id })
    expect(draft).toMatchObject({ name: 'Default rule set (PA stricter)', based_on: REVIEWED.version, backtest: null })
    expect(backtest!.name).toBe('Default rule set (reviewed Nov 2026)')
    // The alerts after the activation were classified by the rule set activated.
    expect(report.rulesets.map((r) => r.version)).toContain(REVIEWED.version)
  })

  it('a report before the period ends reads the governance as it stands then', async () => {
    const now = new Date('2026-11-11T00:00:00.000Z')
    const r = await session.queries.snapshot(() => buildSlaReport(session.queries, PERIOD, { now }))
    expect(r.governance.as_of).toBe(now.toISOString())
    const pa = r.governance.silences.silences.find((l) => l.id === t.silences.get('pa')!.id)!
    expect(pa.expired_at).toBeNull() // expired on the 15th
    expect(r.governance.rule_history.events.map((e) => e.type)).toEqual(['rules_backtested', 'rules_approved', 'rules_activated'])
  })

  it('the alert detail shows a held-back delivery as silenced, with the silence; the reason names it', async () => {
    const [id, s] = [...x.held].find(([id]) => x.inPeriod.some((r) => r.id === id))!
    const a = (await fx.trail.queries.getAlert(id))!
    const row = t.rows.find((r) => r.id === id)!
    expect(a.deliveries).toEqual(
      [...row.destinations]
        .sort()
        .map((destination) => ({ destination, status: 'silenced', attempts: 0, next_attempt_at: null, updated_at: null, last_error: null, silence: s.id }))
    )
    expect(a.reason).toContain(` · deliveries silenced by silence #${s.id} until ${iso(s.until)} (${s.reason})`)
    const free = x.inPeriod.find((r) => !x.held.has(r.id))!
    const b = (await fx.trail.queries.getAlert(free.id))!
    expect(b.deliveries.map((d) => [d.destination, d.status])).toEqual([...free.destinations].sort().map((d) => [d, 'dry_run']))
    expect(b.deliveries.every((d) => !('silence' in d))).toBe(true)
  })

  it("the alert CSV's deliveries column says silenced, with the silence", async () => {
    const out = join(dir, `${kind}.csv`)
    await exportReport(session.queries, PERIOD, out, { format: 'csv', organisation: 'X', now: NOW })
    const [header, ...rows] = parse(readFileSync(out)) as string[][]
    const col = (n: string) => header!.indexOf(n)
    expect(rows).toHaveLength(x.inPeriod.length)
    for (const r of rows) {
      const id = Number(r[col('entry_id')])
      const row = t.rows.find((v) => v.id === id)!
      const s = x.held.get(id)
      expect(r[col('deliveries')], `entry ${id}`).toBe(
        [...row.destinations]
          .sort()
          .map((d) => (s ? `${d}=silenced #${s.id}` : `${d}=dry_run`))
          .join('; ')
      )
    }
  })

  describe('examiner pack', () => {
    let pack: string
    let copies = 0
    const copy = () => {
      const to = join(dir, `${kind}-copy-${++copies}`)
      cpSync(pack, to, { recursive: true })
      return to
    }
    const rowsOf = (p: string, f: string) => parse(readFileSync(join(p, f)), { bom: true }) as string[][]
    const rewrite = (p: string, f: string, edit: (rows: string[][]) => string[][]) => {
      const [h, ...rows] = rowsOf(p, f)
      writeFileSync(join(p, f), stringify([h!, ...edit(rows)], { record_delimiter: '\r\n' }))
    }

    beforeAll(async () => {
      pack = join(dir, `${kind}-pack`)
      await writeExaminerPack(session.queries, PERIOD, pack, { organisation: 'Example Bank plc', now: NOW })
    })

    it('holds governance-events.csv (the whole chain) and delivery-silences.csv, and verifies', async () => {
      const m = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'))
      const head = await session.queries.governanceHead()
      expect(head.count).toBe(t.events)
      expect(m.governance_events).toEqual({
        file: 'governance-events.csv',
        chain_format: 'triage-desk/governance-events/v1',
        head,
        delivery_silences_file: 'delivery-silences.csv'
      })
      const [h, ...events] = rowsOf(pack, 'governance-events.csv')
      expect(h).toEqual(['id', 'type', 'by', 'at', 'data', 'prev_hash', 'hash'])
      expect(events).toHaveLength(t.events)
      expect(events[0]![1]).toBe('rules_drafted')
      expect(JSON.parse(events[0]![4]!).content).toBe(REVIEWED.source) // the rule set's whole text
      expect(events.some((e) => e[3]! < PERIOD.from) && events.some((e) => e[3]! >= PERIOD.to)).toBe(true) // before and after the period
      const [sh, ...held] = rowsOf(pack, 'delivery-silences.csv')
      expect(sh).toEqual(['entry_id', 'destination', 'silence_id'])
      const seg = m.audit_segment
      const want = t.rows
        .filter((r) => r.id >= seg.first_id && r.id <= seg.last_id && x.held.has(r.id))
        .flatMap((r) => [...r.destinations].sort().map((d) => [String(r.id), d, String(x.held.get(r.id)!.id)]))
      expect(held).toEqual(want)
      expect(held).toHaveLength(x.deliveries) // the segment holds exactly the period's alerts here
      const r = await verifyPack(pack)
      expect(r.problems).toEqual([])
      expect(r).toMatchObject({ ok: true, governance_events_checked: t.events, delivery_silences_checked: x.deliveries })
      expect((await verifyPack(pack, { live: session.queries })).ok).toBe(true)
      const readme = readFileSync(join(pack, 'README.txt'), 'utf8')
      expect(readme).toMatch(/governance-events\.csv/)
      expect(readme).toMatch(/delivery-silences\.csv/)
    })

    it("the README's by-hand procedure recomputes the governance chain (plain node:crypto)", () => {
      const F = (v: string) => `\u0000${v.length}:${v}`
      const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')
      const m = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'))
      const [, ...rows] = rowsOf(pack, 'governance-events.csv')
      let prev = '0'.repeat(64)
      for (const raw of rows) {
        const r = raw.map((c) => (c.startsWith("'") ? c.slice(1) : c))
        expect(r[5]).toBe(prev)
        prev = sha(prev + r.slice(0, 5).map(F).join(''))
        expect(prev).toBe(r[6])
      }
      expect(prev).toBe(m.governance_events.head.last_hash)
    })

    it('an edited governance event is named', async () => {
      const p = copy()
      rewrite(p, 'governance-events.csv', (rows) => rows.map((r, i) => (i === 4 ? [r[0]!, r[1]!, 'mallory', ...r.slice(3)] : r)))
      const r = await verifyPack(p)
      expect(r.ok).toBe(false)
      expect(r.problems).toContainEqual(
        expect.objectContaining({
          file: 'governance-events.csv',
          row: 5,
          problem: expect.stringMatching(/row 5: governance event \d+ was modified after it was recorded/)
        })
      )
    })

    it('a removed, a reordered and a cut-off governance event are named', async () => {
      const removed = copy()
      rewrite(removed, 'governance-events.csv', (rows) => rows.filter((_, i) => i !== 6))
      expect((await verifyPack(removed)).problems).toContainEqual(
        expect.objectContaining({ file: 'governance-events.csv', row: 7, problem: expect.stringMatching(/previous-hash does not match .* \(chain broken\)/) })
      )
      const moved = copy()
      rewrite(moved, 'governance-events.csv', (rows) => {
        ;[rows[8], rows[9]] = [rows[9]!, rows[8]!]
        return rows
      })
      expect((await verifyPack(moved)).problems).toContainEqual(expect.objectContaining({ file: 'governance-events.csv', row: 9 }))
      const cut = copy()
      rewrite(cut, 'governance-events.csv', (rows) => rows.slice(0, -1))
      expect((await verifyPack(cut)).problems.map((p) => p.problem).join('\n')).toMatch(/governance events were removed or added outside the engine/)
    })

    it('a held-back delivery moved to another silence is named, even with the manifest made to match', async () => {
      const p = copy()
      const card = String(t.silences.get('card')!.id)
      const none = String(t.silences.get('none')!.id)
      let moved = ''
      rewrite(p, 'delivery-silences.csv', (rows) => rows.map((r) => (r[2] === card && !moved ? ((moved = r[0]!), [r[0]!, r[1]!, none]) : r)))
      // The forger also fixes the manifest's SHA-256: the held-back deliveries still disagree with the hashed reasons.
      const m = JSON.parse(readFileSync(join(p, 'manifest.json'), 'utf8'))
      const bytes = readFileSync(join(p, 'delivery-silences.csv'))
      const f = m.files.find((x: { path: string }) => x.path === 'delivery-silences.csv')
      Object.assign(f, { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length })
      writeFileSync(join(p, 'manifest.json'), JSON.stringify(m, null, 2) + '\n')
      const r = await verifyPack(p)
      expect(r.ok).toBe(false)
      const text = r.problems.map((x) => x.problem).join('\n')
      expect(text).toMatch(new RegExp(`entry ${moved} → \\S+: the entry's reason does not say silence ${none} held its deliveries back`))
      expect(text).toMatch(new RegExp(`entry ${moved}'s reason says silence ${card} held its deliveries back, but delivery-silences\\.csv has no row`))
      const gone = copy()
      rewrite(gone, 'delivery-silences.csv', (rows) => rows.map((r) => (r[2] === card ? [r[0]!, r[1]!, '999'] : r)))
      expect((await verifyPack(gone)).problems.map((x) => x.problem).join('\n')).toMatch(
        /names silence 999, which is no silence_added event of governance-events\.csv/
      )
    })
  })
})
