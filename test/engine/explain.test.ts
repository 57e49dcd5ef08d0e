// The explanation of a decision: every rule of the real sample rule sets, each condition with the alert's value,
// the operator and what the rule expects, and the same matches as the classifier for any alert.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileRuleSet } from '../../src-main/core/classify/index.js'
import { explainDecision } from '../../src-main/core/classify/explain.js'
import { loadRuleSet, parseRuleSet } from '../../src-main/core/classify/ruleset.js'
import type { Alert } from '../../src-main/core/model.js'
import { DEFAULT_RULES, EXTENDED_RULES } from '../helpers.js'

const tx = (p: Partial<Extract<Alert, { kind: 'transaction' }>> = {}): Alert => ({
  kind: 'transaction',
  txn_id: 'T1',
  customer_id: null,
  amount: null,
  currency: null,
  country: null,
  txn_type: null,
  risk_score: null,
  created_at: '2026-11-25T12:00:00.000Z',
  extra: {},
  ...p
})
const mail = (p: Partial<Extract<Alert, { kind: 'email' }>> = {}): Alert => ({
  kind: 'email',
  message_id: 'm',
  vendor: null,
  subject: 'Notice',
  body: '',
  severity_hint: null,
  created_at: '2026-11-25T12:00:00.000Z',
  ...p
})

describe('explainDecision on the default rule set', () => {
  const rs = loadRuleSet(DEFAULT_RULES)

  it('states the value that fired each rule against its threshold, matched rules first', () => {
    const ev = explainDecision(rs, tx({ risk_score: 92, country: 'IR' }))
    expect(ev.severity).toBe('critical')
    expect(ev.rules.filter((r) => r.matched).map((r) => r.id)).toEqual(['risk-score-critical', 'risk-score-high', 'risk-score-medium', 'high-risk-country'])
    expect(ev.rules.slice(0, 4).every((r) => r.matched)).toBe(true)
    expect(ev.rules).toHaveLength(rs.document.rules.length)
    const critical = ev.rules.find((r) => r.id === 'risk-score-critical')!
    expect(critical.conditions).toEqual([
      { depth: 0, kind: 'field', holds: true, field: 'risk_score', actual: 92, op: 'gte', expected: 90, text: 'risk_score 92 ≥ 90' }
    ])
    expect(ev.rules.find((r) => r.id === 'high-risk-country')!.conditions[0]!.text).toBe('country IR in [IR, RU, NG, PA, KY, AF, SY]')
  })

  it('says plainly what did not hold, and that a value is absent', () => {
    const ev = explainDecision(rs, tx({ risk_score: 50, country: 'GB' }))
    const byId = new Map(ev.rules.map((r) => [r.id, r]))
    expect(byId.get('risk-score-critical')!.matched).toBe(false)
    expect(byId.get('risk-score-critical')!.conditions[0]!.text).toBe('risk_score 50 is not ≥ 90')
    expect(byId.get('risk-score-medium')!.conditions[0]!.text).toBe('risk_score 50 ≥ 40')
    expect(byId.get('high-risk-country')!.conditions[0]!.text).toBe('country GB is not in [IR, RU, NG, PA, KY, AF, SY]')
    expect(byId.get('hint-critical')!.conditions[0]).toMatchObject({
      field: 'severity_hint',
      actual: null,
      holds: false,
      text: 'severity_hint (absent) ≠ critical'
    })
    expect(ev.rules[0]!.id).toBe('risk-score-medium')
  })

  it('shows text conditions with the part of the text that matched', () => {
    const body = `${'Routine screening of the counterparty was completed this morning. '.repeat(3)}A possible sanctions breach was found in the second payment.`
    const ev = explainDecision(rs, mail({ subject: 'Screening result', body }))
    const r = ev.rules[0]!
    expect(r.id).toBe('sanctions-keyword')
    expect(r.conditions.map((c) => [c.depth, c.kind, c.holds])).toEqual([
      [0, 'any', true],
      [1, 'field', false],
      [1, 'field', true]
    ])
    expect(r.conditions[1]!.text).toBe("subject 'Screening result' does not contain 'sanction'")
    expect(r.conditions[2]!.text).toBe("body '…morning. A possible sanctions breach was found in…' contains 'sanction'")
    expect(r.conditions[2]!.actual).toBe(body)
  })

  it('cuts a long value it repeats (the payload holds it whole) and says how long it was', () => {
    const body = `${'x'.repeat(2000)} sanctions ${'y'.repeat(100_000)}`
    const c = explainDecision(rs, mail({ body })).rules[0]!.conditions[2]!
    expect(c).toMatchObject({ holds: true, actual_chars: body.length })
    expect(c.actual).toBe(`${'x'.repeat(500)}…`)
    expect(c.text).toMatch(/^body '…x+ sanctions y+…' contains 'sanction'$/)
    expect(c.text.length).toBeLessThan(120)
  })
})

describe('explainDecision on the extended rule set', () => {
  const rs = loadRuleSet(EXTENDED_RULES)

  it('explains an escalation out of business hours with the alert time in the rule set zone', () => {
    // Saturday 03:12 in London: large-wire (high), raised to critical out of hours.
    const ev = explainDecision(rs, tx({ txn_type: 'wire', amount: 72000.5, created_at: '2026-11-28T03:12:00.000Z' }))
    expect(ev.severity).toBe('critical')
    expect(ev.rules.filter((r) => r.matched).map((r) => [r.id, r.kind])).toEqual([
      ['large-wire', 'rule'],
      ['out-of-hours-high', 'escalation']
    ])
    const wire = ev.rules[0]!
    expect(wire.conditions.map((c) => c.text)).toEqual(['all of', 'txn_type wire = wire', 'amount 72000.5 > 50000'])
    const esc = ev.rules[1]!
    expect(esc).toMatchObject({ from: 'high', severity: 'critical', condition_holds: true })
    expect(esc.conditions[0]!.text).toBe(
      'alert time Sat 2026-11-28 03:12 Europe/London is outside business hours (business hours mon, tue, wed, thu, fri 09:00–17:00)'
    )
  })

  it('says why an escalation whose condition held did not apply', () => {
    const ev = explainDecision(rs, tx({ risk_score: 95, created_at: '2026-11-28T03:12:00.000Z' }))
    const esc = ev.rules.find((r) => r.id === 'out-of-hours-high')!
    expect(esc).toMatchObject({ matched: false, condition_holds: true, note: 'its condition holds, but the severity was critical then, not high' })
  })

  it('explains regular expressions, several operators on one field and case-sensitive comparisons', () => {
    const custom = parseRuleSet(
      `
name: custom
rules:
  - id: pep
    description: PEP
    when: { field: body, matches: '\\bPEP\\b', flags: i }
    severity: high
  - id: mid-amount
    description: amount between 1,000 and 10,000
    when: { field: amount, gte: 1000, lte: 10000 }
    severity: medium
  - id: exact
    description: vendor exactly ACME
    when: { not: { field: vendor, equals: ACME, case_sensitive: true } }
    severity: low
  - id: has-customer
    description: customer known
    when: { field: extra.branch, exists: true }
    severity: low
`,
      null
    )
    const m = explainDecision(custom, mail({ body: 'Client is a pep.', vendor: 'acme' }))
    expect(m.rules.find((r) => r.id === 'pep')!.conditions[0]!.text).toBe("body 'Client is a pep.' matches /\\bPEP\\b/i")
    expect(m.rules.find((r) => r.id === 'exact')!.conditions.map((c) => c.text)).toEqual(['not', 'vendor acme ≠ ACME (case-sensitive)'])
    expect(m.rules.find((r) => r.id === 'exact')!.matched).toBe(true)
    const t = explainDecision(custom, tx({ amount: 12000, extra: { branch: 'Leeds' } }))
    expect(t.rules.find((r) => r.id === 'mid-amount')!.conditions.map((c) => [c.depth, c.text, c.holds])).toEqual([
      [0, 'all of (amount)', false],
      [1, 'amount 12000 ≥ 1000', true],
      [1, 'amount 12000 is not ≤ 10000', false]
    ])
    expect(t.rules.find((r) => r.id === 'has-customer')!.conditions[0]!.text).toBe('extra.branch Leeds is present')
  })
})

describe('explainDecision agrees with the classifier', () => {
  const sets = [loadRuleSet(DEFAULT_RULES), loadRuleSet(EXTENDED_RULES)]
  const text = fc.oneof(fc.constantFrom('', 'sanctions hit', 'High-Risk', 'suspicious', 'PEP list', 'politically exposed person'), fc.string({ maxLength: 20 }))
  const time = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }).map((ms) => new Date(ms).toISOString())
  const alert: fc.Arbitrary<Alert> = fc.oneof(
    fc
      .record({
        risk_score: fc.option(fc.double({ min: 0, max: 100, noNaN: true })),
        country: fc.option(fc.constantFrom('IR', 'ir', 'GB', 'SY', 'US')),
        txn_type: fc.option(fc.constantFrom('wire', 'card', 'WIRE')),
        amount: fc.option(fc.double({ min: 0, max: 200000, noNaN: true })),
        created_at: time
      })
      .map((p) => tx(p)),
    fc
      .record({ subject: text, body: text, severity_hint: fc.option(fc.constantFrom('critical', 'high', 'medium', 'low', 'urgent')), created_at: time })
      .map((p) => mail(p))
  )

  it('matches exactly the rules the classifier matched, and arrives at its severity', () => {
    fc.assert(
      fc.property(alert, fc.constantFrom(0, 1), (a, i) => {
        const rs = sets[i]!
        const d = compileRuleSet(rs)(a, Date.parse(a.created_at))
        const ev = explainDecision(rs, a)
        expect(ev.severity).toBe(d.severity)
        expect(ev.rules.filter((r) => r.matched).map((r) => r.id)).toEqual(d.matched.map((m) => m.id))
      }),
      { numRuns: 2000 }
    )
  })
})
