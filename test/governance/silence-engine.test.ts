// The silence matcher in the engine, in-process and in the pipeline worker thread (--parallel): the same alerts
// are held back, with the same hashed reasons, on SQLite and PostgreSQL.
import { afterEach, describe, expect, it } from 'vitest'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { GovernanceDesk } from '../../src-main/core/governance/desk.js'
import { governedRun } from '../../src-main/core/governance/runtime.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from '../case/fixture.js'
import { CSV_HEADER, defaultRules, writeFile } from '../helpers.js'

let fx: CaseFixture | null = null
afterEach(async () => {
  await fx?.close()
  fx = null
})

const COUNTRIES = ['NL', 'GB', 'US', 'NL', 'DE']

describe.each(STORE_KINDS)('silences in the engine on %s', (kind) => {
  it('hold back the same alerts in-process and in the worker thread, critical ones only when approved', async () => {
    fx = await caseFixture(kind)
    const desk = new GovernanceDesk(fx.trail.governance, [])
    const until = new Date(Date.now() + 86_400_000).toISOString()
    await desk.addSilence({ matches: [{ field: 'country', value: 'nl' }], until, reason: 'NL noise' }, 'ann')
    const crit = await desk.addSilence(
      {
        matches: [
          { field: 'country', value: 'US' },
          { field: 'txn_type', value: 'WIRE' }
        ],
        until,
        reason: 'US sandbox',
        include_critical: true
      },
      'ann'
    )
    await desk.approveSilence(crit.id, 'ben')
    const loaded = { settings: defaultSettings(), baseDir: fx.dir, source: 'test' }
    const { silences } = await governedRun(fx.trail.governance, loaded)
    const rows = (prefix: string) =>
      Array.from(
        { length: 400 },
        (_, i) =>
          `${prefix}${i},C${i},${100 + i}.00,USD,${COUNTRIES[i % 5]},${i % 3 ? 'wire' : 'card'},${(i * 37) % 101},2026-12-01T${String(i % 24).padStart(2, '0')}:00:00Z`
      )
    const run = async (prefix: string, parallel: 'always' | 'never') =>
      executeRun(
        { store: fx!.trail.store, settings: loaded.settings, ruleSet: defaultRules(), silences, trigger: 'test', parallel },
        explicitFiles([writeFile(fx!.dir, `${prefix}.csv`, [CSV_HEADER, ...rows(prefix)].join('\n') + '\n')])
      )
    const a = await run('A', 'never')
    const b = await run('B', 'always')
    expect(a.triaged).toBe(400)
    expect(b.triaged).toBe(400)
    expect(b.deliveries).toEqual(a.deliveries) // what went to the outbox, per destination
    // Per alert (by its row number): held back or not, and the reason, the same both ways.
    const held = async (prefix: string) => {
      const out: Array<[string, string, boolean]> = []
      for (let id = prefix === 'A' ? 1 : 401; id <= (prefix === 'A' ? 400 : 800); id++) {
        const d = (await fx!.trail.queries.getAlert(id))!
        out.push([d.entry.external_id.slice(1), d.reason, d.deliveries.length > 0 && d.deliveries.every((x) => x.status === 'silenced')])
      }
      return out
    }
    const ha = await held('A')
    expect(await held('B')).toEqual(ha)
    const silenced = ha.filter(([, reason]) => reason.includes('deliveries silenced'))
    expect(silenced.length).toBeGreaterThan(100)
    for (const [n, reason, allSilenced] of ha) expect(allSilenced, `row ${n}`).toBe(reason.includes('deliveries silenced'))
    for (const [n, reason] of ha) {
      const i = Number(n)
      const country = COUNTRIES[i % 5]
      const wire = i % 3 !== 0
      const critical = (i * 37) % 101 >= 90
      const expected = country === 'NL' ? !critical : country === 'US' && wire
      expect(reason.includes('deliveries silenced'), `row ${i} (${country}, ${wire ? 'wire' : 'card'}, ${critical ? 'critical' : 'not critical'})`).toBe(
        expected
      )
    }
    expect((await fx.trail.store.verify()).ok).toBe(true)
  })
})
