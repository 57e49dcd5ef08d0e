// Property: a backtest of the rule set the alerts were triaged with, routed by the same matrix, changes nothing —
// whatever the rules, the routing and the alerts (text with quotes, separators, line breaks, U+0000 and U+FFFF in
// an extra column the rules read, missing values, times around business hours). Each run imports its alerts into
// one trail per store and backtests only the period of its own import.
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { backtestTrail } from '../../src-main/core/backtest/index.js'
import { parseRuleSet, type RuleSet } from '../../src-main/core/classify/index.js'
import { SEVERITIES, type Severity } from '../../src-main/core/model.js'
import type { Destination, RoutingMatrix } from '../../src-main/core/route/index.js'
import { tempDir, writeFile } from '../helpers.js'
import { freshTrail, importInto, sleep, STORE_KINDS, type TestTrail } from './fixture.js'

const severity = fc.constantFrom(...SEVERITIES)
const NOTE_UNITS = ['a', 'b', 'Z', 'é', '"', ',', ' ', '\n', '\u0000', '\uffff', '😀']
const TZ = ['Europe/London', 'America/New_York', 'Asia/Tokyo']

const ruleSetArb = fc
  .record({
    critical: fc.integer({ min: 50, max: 101 }),
    high: fc.integer({ min: 20, max: 100 }),
    countries: fc.subarray(['IR', 'RU', 'NG', 'GB', 'US']),
    countrySeverity: severity,
    amountOver: fc.integer({ min: 0, max: 400_000 }),
    amountSeverity: severity,
    noteContains: fc.constantFrom(...NOTE_UNITS),
    noteSeverity: severity,
    caseSensitive: fc.boolean(),
    hours: fc.option(fc.record({ timezone: fc.constantFrom(...TZ), from: severity, to: severity, night: severity }), { nil: null, freq: 4 })
  })
  .map((g): RuleSet => {
    const rules: unknown[] = [
      { id: 'crit', description: 'critical score', when: { field: 'risk_score', gte: g.critical }, severity: 'critical' },
      { id: 'high', description: 'high score', when: { field: 'risk_score', gte: g.high }, severity: 'high' },
      {
        id: 'amount',
        description: 'large amount',
        when: { all: [{ field: 'amount', gt: g.amountOver }, { not: { field: 'txn_type', equals: 'card' } }] },
        severity: g.amountSeverity
      },
      {
        id: 'note',
        description: 'note says',
        when: { field: 'extra.note', contains: g.noteContains, case_sensitive: g.caseSensitive },
        severity: g.noteSeverity
      }
    ]
    if (g.hours) rules.push({ id: 'night', description: 'out of hours', when: { outside_business_hours: true }, severity: g.hours.night })
    if (g.countries.length)
      rules.push({ id: 'country', description: 'country listed', when: { field: 'country', in: g.countries }, severity: g.countrySeverity })
    const doc = {
      name: 'generated',
      ...(g.hours ? { business_hours: { timezone: g.hours.timezone } } : {}),
      rules,
      ...(g.hours
        ? { escalations: [{ id: 'hours-up', description: 'out of hours', when: { outside_business_hours: true }, from: g.hours.from, to: g.hours.to }] }
        : {})
    }
    return parseRuleSet(JSON.stringify(doc), 'generated.json')
  })

const POOL: Destination[] = ['slack:a', 'slack:b', 'email:c', 'email:d']
const routingArb = fc
  .tuple(...SEVERITIES.map(() => fc.shuffledSubarray(POOL)))
  .map((lists) => Object.fromEntries(SEVERITIES.map((s, i) => [s, lists[i]!])) as RoutingMatrix)

const rowArb = fc.record({
  risk: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
  country: fc.constantFrom('GB', 'US', 'IR', 'RU', 'NG', 'DE', ''),
  amount: fc.option(
    fc.integer({ min: 0, max: 50_000_000 }).map((c) => (c / 100).toFixed(2)),
    { nil: null }
  ),
  type: fc.constantFrom('wire', 'card', 'cash', ''),
  /** minutes after Monday 2026-11-23 00:00 UTC: two weeks of days, nights and weekends */
  minutes: fc.integer({ min: 0, max: 14 * 24 * 60 }),
  note: fc.string({ unit: fc.constantFrom(...NOTE_UNITS), maxLength: 8 })
})

const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)
const MONDAY = Date.parse('2026-11-23T00:00:00.000Z')

let run = 0
type Row = typeof rowArb extends fc.Arbitrary<infer T> ? T : never
function csvOf(rows: Row[]): string {
  run++
  const lines = rows.map((r, i) =>
    [
      `P${run}-${i}`,
      `C${i % 7}`,
      r.amount ?? '',
      'USD',
      r.country,
      r.type,
      r.risk === null ? '' : String(r.risk),
      new Date(MONDAY + r.minutes * 60_000).toISOString(),
      cell(r.note)
    ].join(',')
  )
  return ['txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,note', ...lines].join('\n') + '\n'
}

describe.each(STORE_KINDS)('a backtest of the rules in force changes nothing (%s)', (kind) => {
  let t: TestTrail
  const dir = tempDir('triage-backtest-prop-')
  beforeAll(async () => {
    t = await freshTrail(kind, 'triage_btprop')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('whatever the rules, the routing and the alerts', async () => {
    let alerts = 0,
      rowsSeen = 0
    await fc.assert(
      fc.asyncProperty(ruleSetArb, routingArb, fc.array(rowArb, { minLength: 1, maxLength: 40 }), async (rules, routing, rows) => {
        const file = writeFile(dir, `run-${run + 1}.csv`, csvOf(rows))
        await sleep(3)
        const from = new Date().toISOString()
        const summary = await importInto(t.trail, [file], rules, routing)
        const period = { from, to: new Date(Date.now() + 1).toISOString() }
        await sleep(3)
        const r = await backtestTrail(t.trail, { draft: rules, routing, period })
        expect(r.alerts).toBe(summary.triaged)
        alerts += r.alerts
        rowsSeen += rows.length
        expect(r.changed).toBe(0)
        expect(r.changed_ids).toEqual([])
        expect(r.by_severity_after).toEqual(r.by_severity_before)
        expect(r.deliveries_after).toEqual(r.deliveries_before)
        for (const [k, n] of Object.entries(r.transitions)) {
          const [b, a] = k.split('->') as [Severity, Severity]
          expect(a).toBe(b)
          expect(n).toBe(r.by_severity_before[b])
        }
        expect(Object.values(r.transitions).reduce((s, n) => s + n, 0)).toBe(r.alerts)
        // The same destinations listed in another order are the same deliveries: still nothing changes.
        const reversed = Object.fromEntries(SEVERITIES.map((s) => [s, [...routing[s]].reverse()])) as RoutingMatrix
        expect((await backtestTrail(t.trail, { draft: rules, routing: reversed, period })).changed).toBe(0)
      }),
      { numRuns: kind === 'sqlite' ? 25 : 10 }
    )
    expect(alerts).toBeGreaterThan(rowsSeen / 2) // most generated rows are alerts (not quarantined)
  })

  it('the figures of any draft are consistent with each other', async () => {
    await fc.assert(
      fc.asyncProperty(
        ruleSetArb,
        ruleSetArb,
        routingArb,
        routingArb,
        fc.array(rowArb, { minLength: 1, maxLength: 40 }),
        async (active, draft, routing, draftRouting, rows) => {
          const file = writeFile(dir, `run-${run + 1}.csv`, csvOf(rows))
          await sleep(3)
          const from = new Date().toISOString()
          const summary = await importInto(t.trail, [file], active, routing)
          const period = { from, to: new Date(Date.now() + 1).toISOString() }
          await sleep(3)
          const r = await backtestTrail(t.trail, { draft, routing: draftRouting, period })
          const sum = (o: Record<string, number>) => Object.values(o).reduce((s, n) => s + n, 0)
          expect(r.alerts).toBe(summary.triaged)
          expect(sum(r.by_severity_before)).toBe(r.alerts)
          expect(sum(r.by_severity_after)).toBe(r.alerts)
          expect(sum(r.transitions)).toBe(r.alerts)
          const moved = Object.entries(r.transitions)
            .filter(([k]) => k.split('->')[0] !== k.split('->')[1])
            .reduce((s, [, n]) => s + n, 0)
          expect(r.changed).toBeGreaterThanOrEqual(moved)
          expect(r.changed_ids).toHaveLength(r.changed)
          expect([...r.changed_ids].sort((a, b) => a - b)).toEqual(r.changed_ids)
          expect(new Set(r.changed_ids).size).toBe(r.changed_ids.length)
          for (const s of SEVERITIES) {
            const into = Object.entries(r.transitions)
              .filter(([k]) => k.endsWith(`->${s}`))
              .reduce((x, [, n]) => x + n, 0)
            expect(into).toBe(r.by_severity_after[s])
          }
          // Deliveries after: each severity's alerts, once per destination of the draft's routing.
          for (const d of POOL) {
            const want = SEVERITIES.reduce((x, s) => x + (draftRouting[s].includes(d) ? r.by_severity_after[s] : 0), 0)
            expect(r.deliveries_after[d] ?? 0).toBe(want)
          }
        }
      ),
      { numRuns: kind === 'sqlite' ? 15 : 6 }
    )
  })
})
