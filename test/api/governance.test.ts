// Rule governance through the API on both stores: validation with line and column, try on an alert, backtest
// recorded with its figures, approval by another officer, activation and its blockers, silences with their
// reminder, and the events the UI listens to.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { api, type Method } from '../../src-main/api/contract.js'
import { CSV_HEADER, DEFAULT_RULES, writeFile } from '../helpers.js'
import { harness, STORE_KINDS, type Harness } from './helpers.js'

let h: Harness
afterEach(async () => {
  await h?.close()
})

async function ok<M extends Method>(method: M, input: unknown) {
  const r = await h.handlers.call(method, input)
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
  return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
}
const officers = [
  { id: 'ann', name: 'Ann Officer' },
  { id: 'ben', name: 'Ben Officer' }
]
const DRAFT = readFileSync(DEFAULT_RULES, 'utf8').replace('{ field: risk_score, gte: 90 }', '{ field: risk_score, gte: 97 }')

describe.each(STORE_KINDS)('rule governance API on %s', (kind) => {
  it("validates as typed, tries a draft on an alert, backtests, and activates only with a colleague's approval", async () => {
    h = await harness({ kind, settings: { officers, officer: 'ann' } })
    await ok('loadSampleData', {})
    const v = await ok('validateRules', {
      content: 'name: x\nrules:\n  - id: a\n    description: d\n    when: { field: risk_score, gte: 90 }\n    severity: urgent\n'
    })
    expect(v).toMatchObject({ ok: false, problems: [{ path: 'rules.0.severity', line: 6, column: 15 }] })
    expect(await ok('validateRules', { content: DRAFT })).toMatchObject({ ok: true, known: null, rules: 11 })

    const overview0 = await ok('rulesOverview', {})
    expect(overview0.active).toMatchObject({ source: 'settings', name: 'Default rule set' })
    expect((await ok('activeRules', {})).content).toBe(readFileSync(DEFAULT_RULES, 'utf8'))

    // An alert with risk score 90–96 is critical today and high under the draft.
    const page = await ok('queryAudit', { filter: { severity: ['critical'] }, limit: 100 })
    let tried = null
    for (const row of page.rows) {
      const t = await ok('tryRules', { content: DRAFT, alert_id: row.id })
      if (t.changed) {
        tried = t
        break
      }
    }
    expect(tried).toMatchObject({
      recorded: { severity: 'critical' },
      draft: { severity: 'high', destinations: ['slack:compliance-high', 'email:compliance'] },
      changed: true
    })

    const bt = await ok('backtestRules', { content: DRAFT })
    expect(bt.figures.alerts).toBeGreaterThan(60)
    expect(bt.figures.changed).toBeGreaterThan(0)
    expect(bt.figures.transitions['critical->high']).toBeGreaterThan(0)
    expect(h.events.some((e) => e.type === 'backtestProgress' && e.version === bt.version)).toBe(true)
    expect(h.events.filter((e) => e.type === 'governanceChanged').map((e) => e.type === 'governanceChanged' && e.event)).toEqual(['rules_backtested'])

    const own = await h.handlers.call('approveRules', { version: bt.version, reason: 'fine' })
    expect(own).toMatchObject({
      ok: false,
      error: { code: 'user_error', message: `rule set ${bt.version}: Ann Officer (ann) drafted it and cannot approve it; another officer must (four-eyes)` }
    })
    const early = await h.handlers.call('activateRules', { version: bt.version, reason: 'go' })
    expect(early).toMatchObject({
      ok: false,
      error: { code: 'user_error', message: expect.stringMatching(/needs an approval by an officer other than Ann Officer \(ann\)/) }
    })
    await ok('approveRules', { version: bt.version, reason: 'critical threshold agreed', by: 'ben' })
    const summary = (await ok('rulesOverview', {})).rule_sets.find((r) => r.version === bt.version)!
    expect(summary).toMatchObject({ state: 'approved', blockers: [], drafted_by_name: 'Ann Officer', approvals: [{ by_name: 'Ben Officer' }] })
    await ok('activateRules', { version: bt.version, reason: 'quarterly tuning' })
    const overview = await ok('rulesOverview', {})
    expect(overview.active).toEqual({ version: bt.version, name: 'Default rule set', source: 'trail', path: null })
    expect(overview.history.map((e) => e.type)).toEqual(['rules_activated', 'rules_approved', 'rules_backtested', 'rules_drafted'])
    expect((await ok('getRuleSet', { version: bt.version })).content).toBe(DRAFT)
    // The next import is triaged under the activated rule set.
    const file = writeFile(h.dir, 'after.csv', `${CSV_HEADER}\nAFTER-1,C1,100.00,USD,US,wire,93,2026-12-01T10:00:00Z\n`)
    const run = await ok('importFiles', { paths: [file] })
    expect(run.summary.by_severity).toMatchObject({ high: 1, critical: 0 }) // 93: critical before, high under the draft
    const latest = await ok('queryAudit', { limit: 1 })
    expect((await ok('getAlert', { id: latest.rows[0]!.id })).entry.ruleset_version).toBe(bt.version)
  })

  it('adds, lists, reminds and expires silences; refuses a bad one by field', async () => {
    h = await harness({ kind, settings: { officers, officer: 'ann' } })
    const soon = new Date(Date.now() + 6 * 3600_000).toISOString()
    const later = new Date(Date.now() + 5 * 86_400_000).toISOString()
    const a = await ok('addSilence', { matches: [{ field: 'country', value: 'NL' }], until: soon, reason: 'vendor migration' })
    const b = await ok('addSilence', {
      matches: [{ field: 'vendor', value: 'alerts@vendor.example' }],
      until: later,
      reason: 'test feed',
      include_critical: true
    })
    expect(await h.handlers.call('addSilence', { matches: [{ field: 'colour', value: 'red' }], until: later, reason: 'r' })).toMatchObject({
      ok: false,
      error: { code: 'user_error', message: expect.stringMatching(/"colour" is not a field/) }
    })
    expect(await h.handlers.call('addSilence', { matches: [], until: later, reason: 'r' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    let list = await ok('listSilences', {})
    expect(list.silences.map((s) => [s.id, s.state, s.ending_soon, s.by_name])).toEqual([
      [b.id, 'in force', false, 'Ann Officer'],
      [a.id, 'in force', true, 'Ann Officer']
    ])
    expect(list.fields).toContain('country')
    expect(await h.handlers.call('approveSilence', { id: b.id })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/cannot approve it; another officer must/) }
    })
    await ok('approveSilence', { id: b.id, by: 'ben' })
    await ok('expireSilence', { id: a.id, reason: 'done early', by: 'ben' })
    list = await ok('listSilences', {})
    expect(list.silences.map((s) => s.id)).toEqual([b.id])
    expect((await ok('listSilences', { all: true })).silences.find((s) => s.id === a.id)).toMatchObject({
      state: 'expired',
      expired_by: 'ben',
      expire_reason: 'done early'
    })
    expect((await ok('listSilences', {})).silences[0]).toMatchObject({ approved_by: 'ben', include_critical: true })
    expect((await h.trail.store.verify()).governance).toEqual({ count: 4, problem: null })
  })
})
