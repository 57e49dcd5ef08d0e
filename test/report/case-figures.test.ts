// The SLA report's case-work figures, on SQLite and on PostgreSQL: the real engine triages 240 alerts in the period
// (and some before and after it), a script of officers' actions runs through the CaseDesk with the clock the test
// moves (some actions after the period's end), and every figure of the report equals the same figure computed here
// with plain loops over the scripted actions. Then the examiner pack: case-events.csv and evidence-manifest.csv are
// in it and verify, and an edited, removed or reordered event, or an edited evidence row, fails naming the file.
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { CASE_STATES, CLOCK_KINDS, type ClockKind } from '../../src-main/core/case/model.js'
import { casePolicy, casesSettingsSchema, DEFAULT_TARGET_MINUTES } from '../../src-main/core/case/policy.js'
import type { Severity } from '../../src-main/core/model.js'
import type { ReportSession } from '../../src-main/core/ports/trail.js'
import { buildSlaReport, exportReport, parsePeriod, verifyPack, writeExaminerPack, type SlaReport } from '../../src-main/core/report/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from '../case/fixture.js'
import { CSV_HEADER, defaultRules, tempDir, writeFile } from '../helpers.js'

const MIN = 60_000
const HOUR = 60 * MIN
const DAY = 24 * HOUR
const PERIOD = parsePeriod('2026-11-02', '2026-12-31')
const END = Date.parse(PERIOD.to)
/** When the reports are made: after the period. */
const NOW = new Date('2027-02-01T00:00:00.000Z')
const FOUR_EYES = new Set<Severity>(['critical', 'high'])
const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low']
const SCORE: Record<Severity, number> = { critical: 95, high: 80, medium: 50, low: 10 }
/** The report is measured by targets other than the defaults: the settings' targets are threaded through. */
const TARGET_MINUTES = {
  critical: { acknowledge: 30, close: 2 * 1440 },
  high: { acknowledge: 120, close: 5 * 1440 },
  medium: { acknowledge: 480, close: 15 * 1440 },
  low: { acknowledge: 2880, close: 45 * 1440 }
}
const REPORT_POLICY = casePolicy(casesSettingsSchema.parse({ targets_minutes: TARGET_MINUTES }))

/** Imports: one before the period, three in it, one after it (the clock stands still during each). */
const IMPORTS = [
  { at: '2026-11-01T12:00:00.000Z', rows: 12, inPeriod: false },
  { at: '2026-11-02T09:00:00.000Z', rows: 80, inPeriod: true },
  { at: '2026-11-20T14:00:00.000Z', rows: 80, inPeriod: true },
  { at: '2026-12-20T08:00:00.000Z', rows: 80, inPeriod: true },
  { at: '2027-01-02T10:00:00.000Z', rows: 12, inPeriod: false }
]

type Step =
  | { at: number; do: 'ack' | 'approve' | 'sar' | 'extend' | 'note' | 'reopen' | 'reject' | 'evidence'; by: string }
  | { at: number; do: 'close'; by: string; disposition: string }

interface Scripted {
  id: number
  severity: Severity
  rules: string[]
  triaged: number
  inPeriod: boolean
  steps: Step[]
}

/** The rules of resources/rules/default.yaml a row matches, and its severity (the highest; none: low). */
function classify(score: number, country: string): { severity: Severity; rules: string[] } {
  const rules: Array<[string, Severity]> = []
  if (score >= 90) rules.push(['risk-score-critical', 'critical'])
  if (score >= 75) rules.push(['risk-score-high', 'high'])
  if (score >= 40) rules.push(['risk-score-medium', 'medium'])
  if (country === 'IR') rules.push(['high-risk-country', 'high'])
  const severity = SEVERITIES.find((s) => rules.some((r) => r[1] === s)) ?? 'low'
  return { severity, rules: rules.map((r) => r[0]) }
}

const PEOPLE = ['alice', 'bob', 'carol']
const ACK_DELAYS = [5 * MIN, 40 * MIN, 3 * HOUR, 20 * HOUR, 3 * DAY]

/** The officers' actions on the k-th alert of the period: a mix of every path, some of it after the period's end. */
function script(k: number, severity: Severity, t0: number): Step[] {
  const four = FOUR_EYES.has(severity)
  const d = ACK_DELAYS[k % ACK_DELAYS.length]!
  const by = PEOPLE[k % 3]!
  const other = PEOPLE[(k + 1) % 3]!
  const third = PEOPLE[(k + 2) % 3]!
  const t = (ms: number) => t0 + ms
  const close = (disposition: string, at: number, who = by): Step => ({ at, do: 'close', by: who, disposition })
  const step = (what: Exclude<Step['do'], 'close'>, at: number, who = by): Step => ({ at, do: what, by: who })
  const approved = (at: number) => (four ? [step('approve', at, other)] : [])
  let steps: Step[]
  switch (k % 12) {
    case 0:
      steps = k % 24 === 12 ? [step('ack', END + HOUR)] : [] // acknowledged only after the period's end
      break
    case 1:
      steps = [step('ack', t(d))]
      break
    case 2:
      steps = [step('ack', t(d)), step('note', t(d + HOUR)), step('evidence', t(d + 2 * HOUR))]
      break
    case 3:
      // Closed but (four-eyes) not yet approved; every other one is approved after the period's end.
      steps = [step('ack', t(d)), close('false_positive', t(d + 2 * DAY)), ...(four && k % 24 === 3 ? [step('approve', END + 3 * HOUR, other)] : [])]
      break
    case 4:
      steps = [step('ack', t(d)), close('false_positive', t(d + DAY / 2)), ...approved(t(d + DAY))]
      break
    case 5:
      steps = four
        ? [close('not_suspicious', t(d)), step('reject', t(d + HOUR), other), close('not_suspicious', t(d + 5 * DAY)), step('approve', t(d + 6 * DAY), third)]
        : [close('not_suspicious', t(d))]
      break
    case 6: // escalated, the SAR filed in time
      steps = [step('ack', t(d)), close('escalated', t(d + HOUR)), ...approved(t(d + 2 * HOUR)), step('sar', t(10 * DAY))]
      break
    case 7: // escalated, the SAR filed late
      steps = [step('ack', t(d)), close('escalated', t(d + HOUR)), ...approved(t(d + 2 * HOUR)), step('sar', t(40 * DAY))]
      break
    case 8: // escalated, no filing: overdue at the end for November's alerts
      steps = [close('escalated', t(d)), ...approved(t(d + HOUR))]
      break
    case 9: // escalated and extended to 60 days
      steps = [step('ack', t(d)), close('escalated', t(d + HOUR)), ...approved(t(d + 2 * HOUR)), step('extend', t(20 * DAY))]
      break
    case 10:
      steps = [close('false_positive', t(d)), ...approved(t(d + HOUR)), step('reopen', t(d + 2 * DAY), other)]
      break
    default: // closed as sar_filed with its reference
      steps = [step('ack', t(d)), close('sar_filed', t(d + 4 * HOUR)), ...approved(t(d + DAY))]
  }
  // Every seventh alert gets a note after the period's end (never counted).
  if (k % 7 === 3) steps.push(step('note', Math.max(END, steps.at(-1)?.at ?? 0) + DAY))
  return steps
}

let seq = 0
async function importAt(fx: CaseFixture, at: string, rows: number, k0: number): Promise<Array<{ id: number; severity: Severity; rules: string[]; k: number }>> {
  vi.setSystemTime(new Date(at))
  const before = (await fx.trail.store.totals()).triaged
  const specs = Array.from({ length: rows }, (_, i) => {
    const k = k0 + i
    const severity = SEVERITIES[k % 4]!
    const country = k % 5 === 2 ? 'IR' : 'US'
    return { k, txn: `T${++seq}-${k}`, score: SCORE[severity], country }
  })
  const created = new Date(Date.parse(at) - 3 * MIN).toISOString()
  const lines = specs.map((s) => `${s.txn},C${s.k % 17},100.00,USD,${s.country},wire,${s.score},${created}`)
  const file = writeFile(fx.dir, `batch-${seq}.csv`, [CSV_HEADER, ...lines].join('\n') + '\n')
  await executeRun({ store: fx.trail.store, settings: defaultSettings(), ruleSet: defaultRules(), trigger: 'test', parallel: 'never' }, explicitFiles([file]))
  const after = (await fx.trail.store.totals()).triaged
  expect(after - before).toBe(rows)
  const desk = fx.desk()
  const out = []
  for (let id = before + 1; id <= after; id++) {
    const e = (await desk.show(id))!.facts.entry
    const s = specs.find((x) => x.txn === e.external_id)!
    const c = classify(s.score, s.country)
    expect(e.severity).toBe(c.severity)
    out.push({ id, severity: c.severity, rules: c.rules, k: s.k })
  }
  return out
}

/** Builds the trail and runs the script; returns every scripted alert. */
async function buildTrail(fx: CaseFixture): Promise<Scripted[]> {
  const alerts: Scripted[] = []
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    let k = 0
    for (const imp of IMPORTS) {
      for (const a of await importAt(fx, imp.at, imp.rows, k)) {
        const t0 = Date.parse(imp.at)
        const steps = imp.inPeriod
          ? script(a.k, a.severity, t0)
          : [
              { at: t0 + HOUR, do: 'ack' as const, by: 'alice' },
              { at: t0 + 2 * HOUR, do: 'close' as const, by: 'alice', disposition: 'not_suspicious' }
            ]
        for (let i = 1; i < steps.length; i++) expect(steps[i]!.at).toBeGreaterThan(steps[i - 1]!.at)
        alerts.push({ id: a.id, severity: a.severity, rules: a.rules, triaged: t0, inPeriod: imp.inPeriod, steps })
      }
      k += imp.rows
    }
  } finally {
    vi.useRealTimers()
  }
  // Every action in time order across alerts, as a team would record them, through the desk with its clock moved.
  const desk = fx.desk()
  const all = alerts.flatMap((a) => a.steps.map((s) => ({ a, s }))).sort((x, y) => x.s.at - y.s.at || x.a.id - y.a.id)
  for (const { a, s } of all) {
    fx.clock.ms = s.at
    const ids = [a.id]
    switch (s.do) {
      case 'close':
        await desk.act(
          {
            action: 'close',
            ids,
            disposition: s.disposition,
            reason: `reviewed (${s.disposition})`,
            reference: s.disposition === 'sar_filed' ? `FIU-${a.id}` : undefined
          },
          s.by
        )
        break
      case 'ack':
        await desk.act({ action: 'ack', ids }, s.by)
        break
      case 'approve':
        await desk.act({ action: 'approve', ids }, s.by)
        break
      case 'reject':
        await desk.act({ action: 'reject', ids, reason: 'attach the statement' }, s.by)
        break
      case 'reopen':
        await desk.act({ action: 'reopen', ids, reason: 'new information' }, s.by)
        break
      case 'note':
        await desk.act({ action: 'note', ids, text: `looked at ${a.id}` }, s.by)
        break
      case 'evidence':
        await desk.act(
          { action: 'evidence', ids, name: 'statement.txt', bytes: Buffer.from(a.id % 24 === 3 ? 'the shared statement' : `statement ${a.id}`) },
          s.by
        )
        break
      case 'extend':
        await desk.act({ action: 'extend', ids, reason: 'waiting for the bank' }, s.by)
        break
      case 'sar':
        await desk.act({ action: 'sar', ids, reference: `SAR-${a.id}` }, s.by)
        break
    }
  }
  return alerts
}

// ── the expected figures, from the script alone ───────────────────────────────────────────────────────────────

const nearestRank = (values: number[], p: number): number | null => {
  if (!values.length) return null
  const s = [...values].sort((a, b) => a - b)
  return s[Math.max(1, Math.ceil((p / 100) * s.length)) - 1]!
}

interface Expected {
  alerts: number
  closed: number
  dispositions: Map<string, Record<Severity, number>>
  rules: Map<string | null, { alerts: number; closed: number; fp: number; by: Map<string, number> }>
  ack: Record<Severity, { times: number[]; met: number; missed: number; overdue: number; pending: number }>
  close: Record<Severity, { times: number[]; met: number; missed: number; overdue: number; pending: number }>
  fourEyes: { needing: number; approved: number; rejected: number; pending: number; byOther: number; self: number }
  clocks: Record<ClockKind, { started: number; met: number; missed: number; running: number; overdue: number }>
  open: Record<string, Record<Severity, number>>
}

function expected(alerts: Scripted[], END: number): Expected {
  const sevZero = () => ({ critical: 0, high: 0, medium: 0, low: 0 })
  const timing = () => Object.fromEntries(SEVERITIES.map((s) => [s, { times: [] as number[], met: 0, missed: 0, overdue: 0, pending: 0 }])) as Expected['ack']
  const x: Expected = {
    alerts: 0,
    closed: 0,
    dispositions: new Map(),
    rules: new Map(),
    ack: timing(),
    close: timing(),
    fourEyes: { needing: 0, approved: 0, rejected: 0, pending: 0, byOther: 0, self: 0 },
    clocks: Object.fromEntries(CLOCK_KINDS.map((k) => [k, { started: 0, met: 0, missed: 0, running: 0, overdue: 0 }])) as Expected['clocks'],
    open: Object.fromEntries(['open', 'acknowledged', 'investigating', 'pending_approval'].map((s) => [s, sevZero()]))
  }
  for (const a of alerts.filter((a) => a.inPeriod)) {
    x.alerts++
    let state = 'open'
    let ackAt: number | null = null
    let disposition: string | null = null
    let closedAt: number | null = null
    let pending: { by: string; disposition: string } | null = null
    let filed = false
    const clocks: Array<{ kind: ClockKind; due: number; stopped: number | null }> = []
    const running = (k: ClockKind) => clocks.find((c) => c.kind === k && c.stopped === null)
    const stopAll = (at: number) => clocks.forEach((c) => (c.stopped ??= at))
    const file = (at: number) => {
      stopAll(at)
      filed = true
      clocks.push({ kind: 'continuing_review', due: at + 90 * DAY, stopped: null }, { kind: 'follow_up_filing', due: at + 120 * DAY, stopped: null })
    }
    const takeEffect = (d: string, at: number) => {
      if (d !== 'escalated' && d !== 'sar_filed') stopAll(at)
    }
    for (const s of a.steps.filter((s) => s.at < END)) {
      if (s.do === 'ack' || s.do === 'close') {
        ackAt ??= s.at
        if (state === 'open') state = 'acknowledged'
      }
      if (s.do === 'note' || s.do === 'evidence') {
        if (state === 'acknowledged') state = 'investigating'
      } else if (s.do === 'close') {
        if (FOUR_EYES.has(a.severity)) {
          x.fourEyes.needing++
          state = 'pending_approval'
          pending = { by: s.by, disposition: s.disposition }
        } else {
          state = 'closed'
          disposition = s.disposition
          closedAt = s.at
          takeEffect(s.disposition, s.at)
        }
        if ((s.disposition === 'escalated' || s.disposition === 'sar_filed') && !running('sar_decision') && !filed)
          clocks.push({ kind: 'sar_decision', due: a.triaged + 30 * DAY, stopped: null })
        if (s.disposition === 'sar_filed') file(s.at)
      } else if (s.do === 'approve') {
        x.fourEyes.approved++
        if (s.by === pending!.by) x.fourEyes.self++
        else x.fourEyes.byOther++
        state = 'closed'
        disposition = pending!.disposition
        closedAt = s.at
        takeEffect(pending!.disposition, s.at)
        pending = null
      } else if (s.do === 'reject') {
        x.fourEyes.rejected++
        state = 'investigating'
        pending = null
      } else if (s.do === 'reopen') {
        state = 'investigating'
        disposition = null
        closedAt = null
      } else if (s.do === 'extend') running('sar_decision')!.due = a.triaged + 60 * DAY
      else if (s.do === 'sar') file(s.at)
    }
    if (filed && state === 'closed' && disposition === 'escalated') disposition = 'sar_filed'
    if (state === 'pending_approval') x.fourEyes.pending++
    const sev = a.severity
    if (state === 'closed') {
      x.closed++
      const d = x.dispositions.get(disposition!) ?? sevZero()
      d[sev]++
      x.dispositions.set(disposition!, d)
    } else x.open[state]![sev]++
    for (const rule of a.rules.length ? a.rules : [null]) {
      const r = x.rules.get(rule) ?? { alerts: 0, closed: 0, fp: 0, by: new Map<string, number>() }
      r.alerts++
      if (state === 'closed') {
        r.closed++
        r.by.set(disposition!, (r.by.get(disposition!) ?? 0) + 1)
        if (disposition === 'false_positive') r.fp++
      }
      x.rules.set(rule, r)
    }
    const measure = (t: Expected['ack'][Severity], at: number | null, targetMinutes: number) => {
      if (at === null) {
        if (END > a.triaged + targetMinutes * MIN) t.overdue++
        else t.pending++
        return
      }
      t.times.push((at - a.triaged) / 1000)
      if (at - a.triaged <= targetMinutes * MIN) t.met++
      else t.missed++
    }
    measure(x.ack[sev], ackAt, TARGET_MINUTES[sev].acknowledge)
    measure(x.close[sev], state === 'closed' ? closedAt : null, TARGET_MINUTES[sev].close)
    for (const c of clocks) {
      const n = x.clocks[c.kind]
      n.started++
      if (c.stopped !== null) n[c.stopped <= c.due ? 'met' : 'missed']++
      else n[END > c.due ? 'overdue' : 'running']++
    }
  }
  return x
}

describe.each(STORE_KINDS)('case-work figures on %s', (kind) => {
  let fx: CaseFixture
  let alerts: Scripted[]
  let session: ReportSession
  let report: SlaReport
  let x: Expected
  const dir = tempDir('triage-case-figures-')

  beforeAll(async () => {
    fx = await caseFixture(kind)
    alerts = await buildTrail(fx)
    x = expected(alerts, END)
    session = await fx.trail.openReports()
    report = await session.queries.snapshot(() => buildSlaReport(session.queries, PERIOD, { cases: REPORT_POLICY, now: NOW }))
  }, 180_000)

  afterAll(async () => {
    await session?.close()
    await fx?.close()
  })

  it('the script covers what the figures are about', () => {
    expect(x.alerts).toBe(240)
    expect(x.closed).toBeGreaterThan(50)
    expect(x.fourEyes.rejected).toBeGreaterThan(0)
    expect(x.fourEyes.pending).toBeGreaterThan(0)
    for (const k of ['met', 'missed', 'overdue', 'running'] as const) expect(x.clocks.sar_decision[k], `sar_decision ${k}`).toBeGreaterThan(0)
    for (const s of SEVERITIES) expect(x.ack[s].met * x.ack[s].missed, `ack met and missed (${s})`).toBeGreaterThan(0)
    expect(Object.values(x.ack).reduce((t, v) => t + v.overdue, 0)).toBeGreaterThan(0)
    expect(Object.values(x.close).reduce((t, v) => t + v.pending, 0)).toBeGreaterThan(0)
    expect([...x.rules.keys()]).toEqual(expect.arrayContaining([null, 'high-risk-country', 'risk-score-critical']))
  })

  it('counts the alerts of the period and their events before its end', () => {
    const c = report.case_work
    expect(c.alerts).toBe(x.alerts)
    expect(c.alerts).toBe(report.totals.triaged)
    expect(c.closed).toBe(x.closed)
    const counted = alerts
      .filter((a) => a.inPeriod)
      .reduce((t, a) => {
        // a close writes an acknowledgement first when nobody acknowledged; escalations and filings write their clocks
        let n = 0
        let acked = false
        let filed = false
        let clock = false
        for (const s of a.steps.filter((s) => s.at < END)) {
          n++
          if (s.do === 'ack') acked = true
          if (s.do === 'close') {
            if (!acked) n++
            acked = true
            if ((s.disposition === 'escalated' || s.disposition === 'sar_filed') && !clock && !filed) {
              n++
              clock = true
            }
            if (s.disposition === 'sar_filed') {
              n += 3
              filed = true
            }
          }
          if (s.do === 'sar') {
            n += 2
            filed = true
          }
        }
        return t + n
      }, 0)
    expect(c.events).toBe(counted)
    expect(c.as_of).toBe(PERIOD.to)
  })

  it("dispositions by severity, the settings' codes first", () => {
    const c = report.case_work
    expect(c.dispositions.map((d) => d.disposition)).toEqual(['false_positive', 'not_suspicious', 'escalated', 'sar_filed'])
    for (const d of c.dispositions) {
      const want = x.dispositions.get(d.disposition) ?? { critical: 0, high: 0, medium: 0, low: 0 }
      expect({ d: d.disposition, counts: d.counts }).toEqual({ d: d.disposition, counts: want })
      expect(d.total).toBe(SEVERITIES.reduce((t, s) => t + want[s], 0))
    }
  })

  it('per rule: alerts, closed, dispositions and the false-positive share', () => {
    const c = report.case_work
    expect(c.by_rule).toHaveLength(x.rules.size)
    for (const r of c.by_rule) {
      const want = x.rules.get(r.rule)!
      expect({ rule: r.rule, alerts: r.alerts, closed: r.closed, fp: r.false_positive }).toEqual({
        rule: r.rule,
        alerts: want.alerts,
        closed: want.closed,
        fp: want.fp
      })
      expect(r.false_positive_share).toBeCloseTo(want.fp / want.alerts, 12)
      expect(r.false_positive_share_of_closed).toBeCloseTo(want.fp / want.closed, 12)
      for (const [d, n] of Object.entries(r.by_disposition)) expect(n).toBe(want.by.get(d) ?? 0)
    }
    // Most alerts first.
    for (let i = 1; i < c.by_rule.length; i++) expect(c.by_rule[i - 1]!.alerts).toBeGreaterThanOrEqual(c.by_rule[i]!.alerts)
  })

  it('time to acknowledge and to close: p50 / p95 and met / missed against the targets given', () => {
    const c = report.case_work
    for (const [name, got, want, key] of [
      ['acknowledge', c.time_to_acknowledge, x.ack, 'acknowledge'],
      ['close', c.time_to_close, x.close, 'close']
    ] as const) {
      expect(got.map((t) => t.severity)).toEqual(['critical', 'high', 'medium', 'low'])
      for (const t of got) {
        const w = want[t.severity]
        expect({ name, s: t.severity, count: t.count, p50: t.p50, p95: t.p95, met: t.met, missed: t.missed, overdue: t.overdue, pending: t.pending }).toEqual({
          name,
          s: t.severity,
          count: w.times.length,
          p50: nearestRank(w.times, 50),
          p95: nearestRank(w.times, 95),
          met: w.met,
          missed: w.missed,
          overdue: w.overdue,
          pending: w.pending
        })
        expect(t.target_seconds).toBe(TARGET_MINUTES[t.severity][key] * 60)
        expect(t.met + t.missed + t.overdue + t.pending).toBe(alerts.filter((a) => a.inPeriod && a.severity === t.severity).length)
      }
    }
    expect(c.policy.four_eyes).toEqual(['critical', 'high'])
  })

  it('four-eyes: closes needing approval, approved by another person, rejected, pending; never self-approved', () => {
    expect(report.case_work.four_eyes).toEqual({
      closes_needing_approval: x.fourEyes.needing,
      approved: x.fourEyes.approved,
      rejected: x.fourEyes.rejected,
      pending: x.fourEyes.pending,
      approved_by_other: x.fourEyes.byOther,
      self_approved: 0
    })
    expect(x.fourEyes.self).toBe(0)
    expect(x.fourEyes.needing).toBe(x.fourEyes.approved + x.fourEyes.rejected + x.fourEyes.pending)
  })

  it("regulatory clocks met / missed / running / overdue at the period's end", () => {
    for (const c of report.case_work.clocks) expect(c).toEqual({ kind: c.kind, ...x.clocks[c.kind] })
    expect(report.case_work.clocks.map((c) => c.kind)).toEqual(['sar_decision', 'continuing_review', 'follow_up_filing'])
  })

  it("alerts still open at the period's end, by state and severity", () => {
    const c = report.case_work
    expect(c.open_at_end.map((o) => o.state)).toEqual(CASE_STATES.filter((s) => s !== 'closed'))
    for (const o of c.open_at_end) expect({ s: o.state, counts: o.counts }).toEqual({ s: o.state, counts: x.open[o.state] })
    expect(c.open_at_end.reduce((t, o) => t + o.total, 0) + c.closed).toBe(c.alerts)
  })

  it('a report made before the period ends counts the cases as they stand at that time', async () => {
    const now = new Date('2026-11-25T00:00:00.000Z')
    const r = await session.queries.snapshot(() => buildSlaReport(session.queries, PERIOD, { cases: REPORT_POLICY, now }))
    const w = expected(alerts, now.getTime())
    const c = r.case_work
    expect(c.as_of).toBe(now.toISOString())
    expect([c.alerts, c.closed]).toEqual([w.alerts, w.closed])
    expect(c.four_eyes).toMatchObject({ closes_needing_approval: w.fourEyes.needing, approved: w.fourEyes.approved, pending: w.fourEyes.pending })
    for (const k of c.clocks) expect(k).toEqual({ kind: k.kind, ...w.clocks[k.kind] })
    for (const t of c.time_to_acknowledge)
      expect([t.severity, t.met, t.missed, t.overdue, t.pending]).toEqual([
        t.severity,
        w.ack[t.severity].met,
        w.ack[t.severity].missed,
        w.ack[t.severity].overdue,
        w.ack[t.severity].pending
      ])
    expect(c.closed).toBeLessThan(report.case_work.closed)
  })

  it('without a policy the default targets are used', async () => {
    const r = await session.queries.snapshot(() => buildSlaReport(session.queries, PERIOD, { now: NOW }))
    expect(r.case_work.policy.ack_target_seconds.critical).toBe(DEFAULT_TARGET_MINUTES.critical.acknowledge * 60)
    expect(r.case_work.time_to_acknowledge[0]!.target_seconds).toBe(DEFAULT_TARGET_MINUTES.critical.acknowledge * 60)
    expect(r.case_work.dispositions).toEqual(report.case_work.dispositions)
  })

  it("the CSV has each alert's case at the period's end, which recounts the figures", async () => {
    const out = join(dir, `${kind}.csv`)
    await exportReport(session.queries, PERIOD, out, { format: 'csv', organisation: 'X', cases: REPORT_POLICY, now: NOW })
    const [header, ...rows] = parse(readFileSync(out)) as string[][]
    const col = (n: string) => header!.indexOf(n)
    expect(rows).toHaveLength(x.alerts)
    expect(rows.filter((r) => r[col('case_state')] === 'closed')).toHaveLength(x.closed)
    expect(rows.filter((r) => r[col('disposition')] === 'false_positive' && r[col('case_state')] === 'closed')).toHaveLength(
      x.dispositions.get('false_positive') ? SEVERITIES.reduce((t, s) => t + x.dispositions.get('false_positive')![s], 0) : 0
    )
    const missed = SEVERITIES.reduce((t, s) => t + x.ack[s].missed, 0)
    expect(rows.filter((r) => r[col('acknowledge_target')] === 'missed')).toHaveLength(missed)
    expect(rows.filter((r) => r[col('clocks')]!.includes('sar_decision=overdue'))).toHaveLength(x.clocks.sar_decision.overdue)
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
      await writeExaminerPack(session.queries, PERIOD, pack, { organisation: 'Example Bank plc', cases: REPORT_POLICY, now: NOW })
    })

    it('holds case-events.csv (the whole chain) and evidence-manifest.csv, and verifies', async () => {
      const m = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'))
      const head = await session.queries.caseHead()
      expect(m.case_events).toEqual({ file: 'case-events.csv', chain_format: 'triage-desk/case-events/v1', head, evidence_file: 'evidence-manifest.csv' })
      const [h, ...events] = rowsOf(pack, 'case-events.csv')
      expect(h).toEqual(['id', 'entry_id', 'type', 'by', 'at', 'data', 'prev_hash', 'hash'])
      expect(events).toHaveLength(head.count)
      expect(events.some((e) => e[4]! >= PERIOD.to)).toBe(true) // the whole chain, after the period's end too
      const [eh, ...evidence] = rowsOf(pack, 'evidence-manifest.csv')
      expect(eh).toEqual(['sha256', 'size', 'event_ids', 'entry_ids'])
      const evidenceEvents = events.filter((e) => e[2] === 'evidence')
      expect(evidence.length).toBeLessThan(evidenceEvents.length) // one statement is shared
      expect(evidence.reduce((t, r) => t + r[2]!.split(' ').length, 0)).toBe(evidenceEvents.length)
      expect(evidence.some((r) => r[3]!.includes(' '))).toBe(true)
      const r = await verifyPack(pack)
      expect(r.problems).toEqual([])
      expect(r).toMatchObject({ ok: true, case_events_checked: head.count })
      expect((await verifyPack(pack, { live: session.queries })).ok).toBe(true)
      // The README explains how to follow an alert to its disposition.
      expect(readFileSync(join(pack, 'README.txt'), 'utf8')).toMatch(/case-events\.csv/)
    })

    it("the README's by-hand procedure recomputes the case chain (plain node:crypto)", () => {
      const F = (v: string) => `\u0000${v.length}:${v}`
      const sha = (t: string) => createHash('sha256').update(t, 'utf8').digest('hex')
      const m = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'))
      const [, ...rows] = rowsOf(pack, 'case-events.csv')
      let prev = '0'.repeat(64)
      for (const raw of rows) {
        const r = raw.map((c) => (c.startsWith("'") ? c.slice(1) : c))
        expect(r[6]).toBe(prev)
        prev = sha(prev + r.slice(0, 6).map(F).join(''))
        expect(prev).toBe(r[7])
      }
      expect(prev).toBe(m.case_events.head.last_hash)
      expect(rows).toHaveLength(m.case_events.head.count)
    })

    it('an edited case event is named', async () => {
      const p = copy()
      rewrite(p, 'case-events.csv', (rows) => rows.map((r, i) => (i === 9 ? [r[0]!, r[1]!, r[2]!, 'mallory', ...r.slice(4)] : r)))
      const r = await verifyPack(p)
      expect(r.ok).toBe(false)
      expect(r.problems).toContainEqual(
        expect.objectContaining({
          file: 'case-events.csv',
          row: 10,
          problem: expect.stringMatching(/row 10: case event \d+ was modified after it was recorded/)
        })
      )
    })

    it('a removed and a reordered case event are named', async () => {
      const removed = copy()
      rewrite(removed, 'case-events.csv', (rows) => rows.filter((_, i) => i !== 20))
      expect((await verifyPack(removed)).problems).toContainEqual(
        expect.objectContaining({ file: 'case-events.csv', row: 21, problem: expect.stringMatching(/previous-hash does not match .* \(chain broken\)/) })
      )
      const moved = copy()
      rewrite(moved, 'case-events.csv', (rows) => {
        ;[rows[30], rows[31]] = [rows[31]!, rows[30]!]
        return rows
      })
      expect((await verifyPack(moved)).problems).toContainEqual(expect.objectContaining({ file: 'case-events.csv', row: 31 }))
      const cut = copy()
      rewrite(cut, 'case-events.csv', (rows) => rows.slice(0, -1))
      expect((await verifyPack(cut)).problems.map((p) => p.problem).join('\n')).toMatch(/case events were removed or added outside the engine/)
    })

    it('an evidence manifest that no longer agrees with the events is named', async () => {
      const p = copy()
      rewrite(p, 'evidence-manifest.csv', (rows) => rows.map((r, i) => (i === 0 ? [r[0]!, String(Number(r[1]) + 1), r[2]!, r[3]!] : r)))
      const r = await verifyPack(p)
      expect(r.problems).toContainEqual(
        expect.objectContaining({ file: 'evidence-manifest.csv', problem: expect.stringMatching(/is listed as \d+ bytes, case event \d+ records \d+/) })
      )
      const gone = copy()
      rewrite(gone, 'evidence-manifest.csv', (rows) => rows.slice(1))
      expect((await verifyPack(gone)).problems).toContainEqual(
        expect.objectContaining({ file: 'evidence-manifest.csv', problem: expect.stringMatching(/named by case event \d+ \(alert \d+\) is not listed/) })
      )
    })
  })
})
