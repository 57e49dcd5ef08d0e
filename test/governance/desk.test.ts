// Change control on SQLite and PostgreSQL: draft → backtest (the real engine's) → approval by another officer →
// activation, each refusal named; the next run triages with the rule set in force; the history is chained and
// `verify` finds an edited governance event.
import { afterEach, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { backtestTrail } from '../../src-main/core/backtest/index.js'
import { parseRuleSet } from '../../src-main/core/classify/ruleset.js'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { GovernanceDesk, GovernanceRefusal } from '../../src-main/core/governance/desk.js'
import { governedRun } from '../../src-main/core/governance/runtime.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from '../case/fixture.js'
import { CSV_HEADER, DEFAULT_RULES, writeFile } from '../helpers.js'

const officers = [
  { id: 'ann', name: 'Ann Officer' },
  { id: 'ben', name: 'Ben Officer' }
]
/** The default rules with the medium threshold raised from 40 to 60: scores 40–59 become low. */
const draftText = readFileSync(DEFAULT_RULES, 'utf8')
  .replace('risk score 40 or more', 'risk score 60 or more')
  .replace('{ field: risk_score, gte: 40 }', '{ field: risk_score, gte: 60 }')
const DAY = 86_400_000

let fx: CaseFixture | null = null
afterEach(async () => {
  await fx?.close()
  fx = null
})

describe.each(STORE_KINDS)('change control on %s', (kind) => {
  it('activates a draft only after a 30-day backtest approved by another officer; the next run uses it', async () => {
    fx = await caseFixture(kind)
    const ids = await fx.add([{ severity: 'medium' }, { severity: 'medium' }, { severity: 'high' }, { severity: 'low' }])
    const now = Date.now()
    const desk = new GovernanceDesk(fx.trail.governance, officers, () => now)
    const loaded = { settings: defaultSettings(), baseDir: fx.dir, source: 'test' }
    const before = await governedRun(fx.trail.governance, loaded)
    expect(before.ruleSource).toBe('settings')

    const { ruleSet, recorded } = await desk.draft(draftText, 'draft.yaml', 'ann')
    expect(recorded).toBe(true)
    expect((await desk.draft(draftText, 'draft.yaml', 'ben')).recorded).toBe(false) // the same text twice is one draft
    await expect(desk.approve(ruleSet.version, 'looks right', 'ben')).rejects.toThrow(`rule set ${ruleSet.version}: has no backtest yet`)
    await expect(desk.activate(ruleSet.version, 'go', 'ben')).rejects.toThrow(/needs a backtest of the last 30 days against the rule set in force/)

    // A backtest of a 2-day window does not count for activation; one of the last 30 days does.
    const period = (days: number) => ({ from: new Date(now - days * DAY).toISOString(), to: new Date(now + 60_000).toISOString() })
    const short = await backtestTrail(fx.trail, { draft: ruleSet, routing: loaded.settings.routing, period: period(2) })
    await desk.recordBacktest(ruleSet, null, period(2), short, 'ann')
    await desk.approve(ruleSet.version, 'two-day look', 'ben')
    await expect(desk.activate(ruleSet.version, 'go', 'ben')).rejects.toThrow(/needs a backtest of the last 30 days/)
    const figures = await backtestTrail(fx.trail, { draft: ruleSet, routing: loaded.settings.routing, period: period(30) })
    expect(figures).toMatchObject({ alerts: 4, changed: 2, transitions: { 'medium->low': 2 } })
    const bt = await desk.recordBacktest(ruleSet, null, period(30), figures, 'ann')
    // The approval must come after the backtest it approves, and not from the author.
    await expect(desk.activate(ruleSet.version, 'go', 'ben')).rejects.toThrow(
      `its latest backtest (#${bt.id}) needs an approval by an officer other than Ann Officer (ann), who drafted it`
    )
    await expect(desk.approve(ruleSet.version, 'mine', 'Ann Officer')).rejects.toThrow(
      `rule set ${ruleSet.version}: Ann Officer (ann) drafted it and cannot approve it; another officer must (four-eyes)`
    )
    await expect(desk.approve(ruleSet.version, '  ', 'ben')).rejects.toThrow('a reason for the approval is required')
    await desk.approve(ruleSet.version, 'medium threshold agreed with the compliance lead', 'ben')
    // A later, shorter backtest does not stand in for the 30-day one the approval followed.
    await desk.recordBacktest(ruleSet, null, period(2), short, 'ann')
    const act = await desk.activate(ruleSet.version, 'quarterly tuning', 'ann')
    expect(JSON.parse(act.data)).toMatchObject({ backtest: bt.id })
    const g = await desk.state()
    expect(g.active).toBe(ruleSet.version)
    expect(g.ruleSets.get(ruleSet.version)).toMatchObject({ state: 'active', activations: [{ event: act.id, by: 'ann', reason: 'quarterly tuning' }] })
    await expect(desk.activate(ruleSet.version, 'again', 'ben')).rejects.toThrow('is already the rule set in force')

    // The next run triages with the rule set in force (the trail's), not the settings' file.
    const governed = await governedRun(fx.trail.governance, loaded)
    expect(governed).toMatchObject({ ruleSource: 'trail', ruleSet: { version: ruleSet.version } })
    const file = writeFile(fx.dir, 'after.csv', `${CSV_HEADER}\nAFTER-1,C1,100.00,USD,US,wire,50,2026-12-01T10:00:00Z\n`)
    const run = await executeRun(
      { store: fx.trail.store, settings: loaded.settings, ruleSet: governed.ruleSet, silences: governed.silences, trigger: 'test' },
      explicitFiles([file])
    )
    expect(run.by_severity).toMatchObject({ low: 1, medium: 0 })
    const detail = await fx.trail.queries.getAlert(ids.length + 1)
    expect(detail!.entry.ruleset_version).toBe(ruleSet.version)

    // A later draft must be backtested against the new rule set in force: the old backtest does not carry over.
    const next = draftText.replace('risk score 60 or more', 'risk score 55 or more').replace('gte: 60 }', 'gte: 55 }')
    const d2 = await desk.draft(next, null, 'ben')
    expect((await desk.state()).ruleSets.get(d2.ruleSet.version)!.based_on).toBe(ruleSet.version)
    await desk.recordBacktest(
      d2.ruleSet,
      null,
      period(30),
      await backtestTrail(fx.trail, { draft: d2.ruleSet, routing: loaded.settings.routing, period: period(30) }),
      'ben'
    )
    await desk.approve(d2.ruleSet.version, 'ok', 'ann')
    await expect(desk.activate(d2.ruleSet.version, 'go', 'ann')).rejects.toThrow(`against the rule set in force (${ruleSet.version})`)

    const v = await fx.trail.store.verify()
    expect(v.ok).toBe(true)
    expect(v.governance.problem).toBeNull()
    expect(v.governance.count).toBe((await fx.trail.governance.governanceEvents()).length)
  })

  it('a re-approval after a rejection allows activation; events written around the desk are not in force and verify names them', async () => {
    fx = await caseFixture(kind)
    await fx.add([{ severity: 'medium' }, { severity: 'high' }])
    const now = Date.now()
    const desk = new GovernanceDesk(fx.trail.governance, officers, () => now)
    const routing = defaultSettings().routing
    const period = { from: new Date(now - 30 * DAY).toISOString(), to: new Date(now + 60_000).toISOString() }
    const { ruleSet } = await desk.draft(draftText, null, 'ann')
    await desk.recordBacktest(ruleSet, null, period, await backtestTrail(fx.trail, { draft: ruleSet, routing, period }), 'ann')
    await desk.approve(ruleSet.version, 'first look', 'ben')
    const rejection = await desk.reject(ruleSet.version, 'wait for the vendor', 'ben')
    await expect(desk.activate(ruleSet.version, 'go', 'ann')).rejects.toThrow(`it was rejected by Ben Officer (ben) (wait for the vendor)`)
    const again = await desk.approve(ruleSet.version, 'vendor confirmed', 'ben')
    expect(again.id).toBeGreaterThan(rejection.id)
    const act = await desk.activate(ruleSet.version, 'go', 'ann')
    expect(JSON.parse(act.data)).toMatchObject({ approval: again.id })
    expect((await fx.trail.store.verify()).ok).toBe(true)

    // Ann approves her own second draft and activates it by writing the events herself: the chain is intact
    // (the store hashed them), but the rules are not — it does not come into force, and verify names the event.
    const { ruleSet: own } = await desk.draft(draftText.replace('gte: 60 }', 'gte: 65 }'), null, 'ann')
    const bt = await desk.recordBacktest(own, ruleSet.version, period, await backtestTrail(fx.trail, { draft: own, routing, period }), 'ann')
    const at = new Date(now).toISOString()
    const [selfApproval] = await fx.trail.governance.recordGovernance(() => [
      { type: 'rules_approved', by: 'ann', at, data: { version: own.version, reason: 'mine' } }
    ])
    const [forged] = await fx.trail.governance.recordGovernance(() => [
      { type: 'rules_activated', by: 'ann', at, data: { version: own.version, reason: 'mine', backtest: bt.id, approval: selfApproval!.id } }
    ])
    const g = await desk.state()
    expect(g.active).toBe(ruleSet.version)
    expect(g.violations.map((v) => v.event)).toEqual([selfApproval!.id, forged!.id])
    expect((await governedRun(fx.trail.governance, { settings: defaultSettings(), baseDir: fx.dir, source: 'test' })).ruleSet.version).toBe(ruleSet.version)
    const v = await fx.trail.store.verify()
    expect(v.ok).toBe(false)
    expect(v.governance.problem).toMatchObject({
      id: selfApproval!.id,
      problem: `governance event ${selfApproval!.id} breaks change control: rules approved: rule set ${own.version} approved by ann, who drafted it (four-eyes)`
    })
  })

  it('refuses an unparseable draft with the file and field, and an unknown officer', async () => {
    fx = await caseFixture(kind)
    const desk = new GovernanceDesk(fx.trail.governance, officers)
    await expect(desk.draft('name: x\nrules: []\n', 'bad.yaml', 'ann')).rejects.toThrow(/^bad\.yaml: rules: /)
    await expect(desk.draft(draftText, null, 'mallory')).rejects.toThrow(GovernanceRefusal)
    await expect(desk.reject('rs-0000000000000000', 'no', 'ann')).rejects.toThrow('rule set rs-0000000000000000: no such draft in this trail')
    expect(await fx.trail.governance.governanceEvents()).toEqual([])
    expect(parseRuleSet(draftText, null).version).toMatch(/^rs-[0-9a-f]{16}$/)
  })
})
