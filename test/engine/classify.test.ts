import { describe, expect, it } from 'vitest'
import { compileRuleSet } from '../../src-main/core/classify/index.js'
import { loadRuleSet, parseRuleSet, RuleSetError } from '../../src-main/core/classify/ruleset.js'
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
const WED_NOON_LONDON = Date.parse('2026-11-25T12:00:00Z')
const SAT_NOON_LONDON = Date.parse('2026-11-28T12:00:00Z')
const WED_NIGHT_LONDON = Date.parse('2026-11-25T22:30:00Z')

describe('default rule set', () => {
  const classify = compileRuleSet(loadRuleSet(DEFAULT_RULES))
  const sev = (a: Alert) => classify(a, WED_NOON_LONDON).severity

  it.each([
    [mail({ severity_hint: 'critical' }), 'critical'],
    [mail({ severity_hint: 'high' }), 'high'],
    [mail({ severity_hint: 'medium' }), 'medium'],
    [mail({ severity_hint: 'low' }), 'low'],
    [mail({ severity_hint: 'urgent' }), 'low'],
    [mail({ subject: 'SANCTIONS screening hit' }), 'critical'],
    [mail({ body: 'possible sanction evasion' }), 'critical'],
    [mail({ subject: 'High-Risk payment' }), 'critical'],
    [mail({ subject: 'Suspicious activity' }), 'medium'],
    [tx({ risk_score: 90 }), 'critical'],
    [tx({ risk_score: 89.9 }), 'high'],
    [tx({ risk_score: 75 }), 'high'],
    [tx({ risk_score: 40 }), 'medium'],
    [tx({ risk_score: 39 }), 'low'],
    [tx({ country: 'IR' }), 'high'],
    [tx({ country: 'GB' }), 'low'],
    [tx(), 'low']
  ])('%j → %s', (alert, expected) => expect(sev(alert)).toBe(expected))

  it('takes the highest severity of all matching rules and records every match', () => {
    const d = classify(tx({ risk_score: 50, country: 'RU' }), WED_NOON_LONDON)
    expect(d.severity).toBe('high')
    expect(d.matched.map((m) => m.id)).toEqual(['risk-score-medium', 'high-risk-country'])
    expect(d.reason).toBe('high: counterparty country on the high-risk list [high-risk-country] (+1 more rule)')
    expect(d.ruleset_version).toMatch(/^rs-[0-9a-f]{16}$/)
  })

  it('says so when no rule matched', () => {
    expect(classify(tx(), WED_NOON_LONDON)).toMatchObject({ severity: 'low', matched: [], reason: 'low: no rule matched' })
  })
})

describe('extended example rule set', () => {
  const classify = compileRuleSet(loadRuleSet(EXTENDED_RULES))
  it('wire transfers over 50,000 are high', () => {
    expect(classify(tx({ txn_type: 'wire', amount: 50_000.01 }), WED_NOON_LONDON).severity).toBe('high')
    expect(classify(tx({ txn_type: 'wire', amount: 50_000 }), WED_NOON_LONDON).severity).toBe('low')
    expect(classify(tx({ txn_type: 'card', amount: 90_000 }), WED_NOON_LONDON).severity).toBe('low')
  })
  it('"politically exposed person" or the word PEP in the body is critical', () => {
    expect(classify(mail({ body: 'Customer is a Politically Exposed Person.' }), WED_NOON_LONDON).severity).toBe('critical')
    expect(classify(mail({ body: 'Owner flagged as PEP by screening' }), WED_NOON_LONDON).severity).toBe('critical')
    expect(classify(mail({ body: 'PEPPER imports and a pep talk' }), WED_NOON_LONDON).severity).toBe('low')
  })
  it('raises high to critical outside Mon-Fri 09:00-17:00 London, and says why', () => {
    const high = tx({ country: 'NG' })
    expect(classify(high, WED_NOON_LONDON).severity).toBe('high')
    expect(classify(high, SAT_NOON_LONDON).severity).toBe('critical')
    const night = classify(high, WED_NIGHT_LONDON)
    expect(night.severity).toBe('critical')
    expect(night.matched.map((m) => m.id)).toEqual(['high-risk-country', 'out-of-hours-high'])
    expect(night.reason).toMatch(/^critical: .*\[out-of-hours-high\], raised from high: /)
  })
  it('does not raise medium alerts out of hours', () => {
    expect(classify(tx({ risk_score: 50 }), SAT_NOON_LONDON).severity).toBe('medium')
  })
})

describe('rule files are validated', () => {
  const bad = (yaml: string) => () => parseRuleSet(yaml, 'rules.yaml')
  it('names the problem and where it is', () => {
    expect(bad('name: x\nrules: []')).toThrow(RuleSetError)
    expect(bad('name: x\nrules:\n  - {id: a, description: d, when: {field: amount, gte: 1}, severity: urgent}')).toThrow(/rules\.0\.severity/)
    expect(bad('name: x\nrules:\n  - {id: a, description: d, when: {field: amount}, severity: high}')).toThrow(/rules\.0\.when/)
    expect(bad('name: x\nrules:\n  - {id: a, description: d, when: {field: body, matches: "(unclosed"}, severity: high}')).toThrow(/rules\.0\.when/)
    expect(bad('name: x\nrules:\n  - {id: a, description: d, when: {outside_business_hours: true}, severity: high}')).toThrow(/business_hours/)
    expect(
      bad(
        'name: x\nrules:\n  - {id: a, description: d, when: {field: a, equals: 1}, severity: high}\n  - {id: a, description: d, when: {field: a, equals: 1}, severity: high}'
      )
    ).toThrow(/duplicate rule id a/)
    expect(bad('rules: [: :')).toThrow(/cannot be parsed/)
  })
  it('the version is a content hash: formatting does not change it, a threshold does', () => {
    const a = parseRuleSet('name: x\nrules:\n  - {id: a, description: d, when: {field: risk_score, gte: 90}, severity: high}', null)
    const b = parseRuleSet('# comment\nname: x\nrules:\n  - id: a\n    description: d\n    when: { field: risk_score, gte: 90 }\n    severity: high\n', null)
    const c = parseRuleSet('name: x\nrules:\n  - {id: a, description: d, when: {field: risk_score, gte: 91}, severity: high}', null)
    expect(a.version).toBe(b.version)
    expect(a.version).not.toBe(c.version)
  })
})
