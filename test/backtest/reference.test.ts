// The backtest checked against an independent reference: the same files imported into a fresh trail under the draft
// rule set and the draft routing give, per alert (by external id), the severity and destinations the draft decides
// from the source records (normalized afresh, not read back from the stored payload). Every figure is computed here
// from those two trails' stored alerts, read through the report's alert table, and compared with the backtest's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CSV_HEADER as SAMPLE_HEADER, mailboxExport, rng, transactionRow } from '../../resources/sample-data/generate.js'
import { backtestTrail, type BacktestResult } from '../../src-main/core/backtest/index.js'
import { CaseDesk } from '../../src-main/core/case/desk.js'
import { defaultCasePolicy } from '../../src-main/core/case/policy.js'
import { loadRuleSet } from '../../src-main/core/classify/index.js'
import { SEVERITIES, severityRank, type Severity } from '../../src-main/core/model.js'
import type { Period } from '../../src-main/core/ports/reports.js'
import { DEFAULT_ROUTING, type RoutingMatrix } from '../../src-main/core/route/index.js'
import { defaultRules, EXTENDED_RULES, tempDir, writeFile } from '../helpers.js'
import { ALL_TIME, freshTrail, importInto, sleep, STORE_KINDS, storedAlerts, type StoredAlert, type TestTrail } from './fixture.js'

// The draft: the extended example (large wires, PEPs, out-of-hours escalation of high to critical), routed by a
// matrix where high loses its e-mail list, medium gains one, and critical lists the same two destinations in the
// other order (no change: deliveries are per destination).
const draft = loadRuleSet(EXTENDED_RULES)
const draftRouting: RoutingMatrix = {
  critical: ['email:compliance-leads', 'slack:compliance-critical'],
  high: ['slack:compliance-high'],
  medium: ['slack:compliance-info', 'email:compliance'],
  low: ['email:archive']
}

/** The figures by their definitions, from the stored alerts of the trail (before) and of the draft's trail (after). */
function expected(before: StoredAlert[], afterByExternal: Map<string, StoredAlert>, dispositions: Map<number, string>) {
  const sevCount = () => Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>
  const bySevBefore = sevCount(),
    bySevAfter = sevCount()
  const transitions: Record<string, number> = {}
  const delBefore: Record<string, number> = {},
    delAfter: Record<string, number> = {}
  const changedIds: number[] = []
  const byDisposition: Record<string, { total: number; lowered: number; kept: number; raised: number }> = {}
  let rated = 0,
    agreeing = 0,
    belowHigh = 0
  const belowHighIds: number[] = []
  for (const b of before) {
    const a = afterByExternal.get(b.external_id)
    if (!a) throw new Error(`${b.external_id} is missing from the draft's trail`)
    bySevBefore[b.severity]++
    bySevAfter[a.severity]++
    transitions[`${b.severity}->${a.severity}`] = (transitions[`${b.severity}->${a.severity}`] ?? 0) + 1
    for (const d of new Set(b.destinations)) delBefore[d] = (delBefore[d] ?? 0) + 1
    for (const d of new Set(a.destinations)) delAfter[d] = (delAfter[d] ?? 0) + 1
    const sameDestinations = JSON.stringify([...new Set(b.destinations)].sort()) === JSON.stringify([...new Set(a.destinations)].sort())
    if (a.severity !== b.severity || !sameDestinations) changedIds.push(b.id)
    const disp = dispositions.get(b.id)
    if (!disp) continue
    const rb = severityRank(b.severity),
      ra = severityRank(a.severity)
    const f = (byDisposition[disp] ??= { total: 0, lowered: 0, kept: 0, raised: 0 })
    f.total++
    if (ra < rb) f.lowered++
    else if (ra > rb) f.raised++
    else f.kept++
    if (disp === 'false_positive' || disp === 'not_suspicious') {
      rated++
      if (ra <= rb) agreeing++
    } else if (disp === 'escalated' || disp === 'sar_filed') {
      rated++
      if (ra < rb && ra < severityRank('high')) {
        belowHigh++
        belowHighIds.push(b.id)
      } else agreeing++
    }
  }
  const names = [...new Set([...Object.keys(delBefore), ...Object.keys(delAfter)])].sort()
  const d = (k: string) => byDisposition[k] ?? { total: 0, lowered: 0, kept: 0, raised: 0 }
  return {
    alerts: before.length,
    changed: changedIds.length,
    by_severity_before: bySevBefore,
    by_severity_after: bySevAfter,
    transitions,
    deliveries_before: Object.fromEntries(names.map((n) => [n, delBefore[n] ?? 0])),
    deliveries_after: Object.fromEntries(names.map((n) => [n, delAfter[n] ?? 0])),
    changed_ids: changedIds.sort((x, y) => x - y).slice(0, 1000),
    agreement: {
      closed: Object.values(byDisposition).reduce((s, f) => s + f.total, 0),
      by_disposition: Object.fromEntries(
        Object.keys(byDisposition)
          .sort()
          .map((k) => [k, byDisposition[k]!])
      ),
      false_positive: { total: d('false_positive').total, lowered: d('false_positive').lowered, raised: d('false_positive').raised },
      not_suspicious: { total: d('not_suspicious').total, lowered: d('not_suspicious').lowered, raised: d('not_suspicious').raised },
      escalated_or_sar: {
        total: d('escalated').total + d('sar_filed').total,
        escalated: d('escalated').total,
        sar_filed: d('sar_filed').total,
        lowered_below_high: belowHigh,
        lowered_below_high_ids: belowHighIds.slice(0, 100)
      },
      rated,
      agreeing,
      rate: rated ? Math.round((agreeing / rated) * 10_000) / 10_000 : null
    }
  }
}

const inPeriod = (a: StoredAlert, p: Period) => a.triaged_at >= p.from && a.triaged_at < p.to
const withoutDefinition = (r: BacktestResult) => ({ ...r, agreement: { ...r.agreement, definition: undefined } })

describe.each(STORE_KINDS)('backtest against a re-import under the draft (%s)', (kind) => {
  let trail: TestTrail, reference: TestTrail
  let stored: StoredAlert[]
  let draftByExternal: Map<string, StoredAlert>
  const dispositions = new Map<number, string>()
  let secondFileFrom: string

  beforeAll(async () => {
    const dir = tempDir('triage-backtest-ref-')
    const r = rng(11)
    const rows = Array.from({ length: 500 }, (_, i) => transactionRow(i + 1, r))
    const csv1 = writeFile(dir, 'transactions-1.csv', [SAMPLE_HEADER, ...rows.slice(0, 300)].join('\n') + '\n')
    const csv2 = writeFile(dir, 'transactions-2.csv', [SAMPLE_HEADER, ...rows.slice(300)].join('\n') + '\n')
    const mail = writeFile(dir, 'vendor-mail.json', JSON.stringify(mailboxExport(60, 5)))
    trail = await freshTrail(kind)
    await importInto(trail.trail, [csv1, mail], defaultRules(), DEFAULT_ROUTING)
    await sleep(15) // the second file is triaged later: a period can tell the two apart
    await importInto(trail.trail, [csv2], defaultRules(), DEFAULT_ROUTING)
    // The reference: the same files, in the same order, in a trail of their own, under the draft.
    reference = await freshTrail('sqlite')
    await importInto(reference.trail, [csv1, mail, csv2], draft, draftRouting)
    stored = await storedAlerts(trail.trail)
    draftByExternal = new Map((await storedAlerts(reference.trail)).map((a) => [a.external_id, a]))
    secondFileFrom = stored.find((a) => a.external_id === 'T00000301')!.triaged_at // the first row of the second file
    expect(stored.filter((a) => a.triaged_at >= secondFileFrom)).toHaveLength(200)

    // Officers' dispositions, a few per severity (high and critical closes approved by a second officer).
    const desk = new CaseDesk(trail.trail.cases, defaultCasePolicy())
    const of = (s: Severity) => stored.filter((a) => a.severity === s).map((a) => a.id)
    const close = async (ids: number[], disposition: string, approve = true) => {
      const res = await desk.act(
        { action: 'close', ids, disposition, reason: 'reviewed', ...(disposition === 'sar_filed' ? { reference: 'SAR-1' } : {}) },
        'ann'
      )
      const pending = res.cases.filter((c) => c.state === 'pending_approval').map((c) => c.id)
      if (approve && pending.length) await desk.act({ action: 'approve', ids: pending }, 'bob')
      if (approve) for (const id of ids) dispositions.set(id, disposition)
    }
    await close([...of('low').slice(0, 3), ...of('medium').slice(0, 3), ...of('high').slice(0, 3)], 'false_positive')
    await close([...of('high').slice(3, 8), ...of('critical').slice(0, 2)], 'escalated')
    await close([...of('high').slice(-3), ...of('critical').slice(2, 4)], 'sar_filed')
    await close([...of('medium').slice(3, 5), of('low').at(-1)!], 'not_suspicious')
    await close(of('high').slice(8, 10), 'escalated', false) // waiting for approval: no disposition
    expect(dispositions.size).toBe(9 + 7 + 5 + 3)
  })

  afterAll(async () => {
    await trail?.close()
    await reference?.close()
  })

  const periods: Array<[string, () => Period]> = [
    ['the whole trail', () => ALL_TIME],
    ['the second file only', () => ({ from: secondFileFrom, to: ALL_TIME.to })],
    ['the first run only', () => ({ from: ALL_TIME.from, to: secondFileFrom })]
  ]

  it.each(periods)('every figure matches over %s', async (_, period) => {
    const p = period()
    const before = stored.filter((a) => inPeriod(a, p))
    expect(before.length).toBeGreaterThan(100)
    const got = await backtestTrail(trail.trail, { draft, routing: draftRouting, period: p })
    const want = expected(before, draftByExternal, dispositions)
    expect(withoutDefinition(got)).toEqual({ ...want, agreement: { ...want.agreement, definition: undefined } })
    expect(got.agreement.definition).toMatch(/false_positive/)
    // The draft must actually change things for the comparison to mean something.
    expect(got.changed).toBeGreaterThan(20)
    expect(got.changed).toBeLessThan(got.alerts)
    expect(Object.keys(got.transitions).some((k) => k.split('->')[0] !== k.split('->')[1])).toBe(true)
    expect(got.deliveries_after['email:compliance']).not.toBe(got.deliveries_before['email:compliance'])
  })

  it('a period with no alerts gives zeros', async () => {
    const got = await backtestTrail(trail.trail, { draft, routing: draftRouting, period: { from: '2001-01-01T00:00:00.000Z', to: '2001-02-01T00:00:00.000Z' } })
    const zero = { low: 0, medium: 0, high: 0, critical: 0 }
    expect({ ...got, agreement: undefined }).toEqual({
      alerts: 0,
      changed: 0,
      by_severity_before: zero,
      by_severity_after: zero,
      transitions: {},
      deliveries_before: {},
      deliveries_after: {},
      changed_ids: [],
      agreement: undefined
    })
    expect(got.agreement).toMatchObject({ closed: 0, by_disposition: {}, rated: 0, agreeing: 0, rate: null })
    expect(got.agreement.by_disposition).toEqual({})
  })

  it('changed_ids lists the changed alerts in ascending id order', async () => {
    // Every alert changes when every severity is routed somewhere new.
    const everywhere: RoutingMatrix = { critical: ['slack:x'], high: ['slack:x'], medium: ['slack:x'], low: ['slack:x'] }
    const got = await backtestTrail(trail.trail, { draft, routing: everywhere, period: ALL_TIME })
    expect(got.changed).toBe(stored.length)
    expect(got.changed_ids).toEqual(stored.map((a) => a.id))
    expect(got.deliveries_after).toMatchObject({ 'slack:x': stored.length })
  })
})
