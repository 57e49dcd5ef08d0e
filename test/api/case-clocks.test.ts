// The queue's "clocks due soon" count (the tray's "N clocks due within 3 days", the dashboard) on both stores:
// it counts alerts whose next running regulatory clock falls within 3 days from now; an overdue clock counts as
// overdue instead, an extended one moves out, and a filing's clocks (90 / 120 days) count only when they come near.
import { afterEach, describe, expect, it } from 'vitest'
import { createCaseHandlers } from '../../src-main/api/cases.js'
import { api } from '../../src-main/api/contract.js'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { DAY_MS } from '../../src-main/core/case/model.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from '../case/fixture.js'

let fx: CaseFixture | null = null
afterEach(async () => {
  await fx?.close()
  fx = null
})

describe.each(STORE_KINDS)('clocks due soon on %s', (kind) => {
  it('counts the alerts whose next regulatory clock is due within 3 days', async () => {
    fx = await caseFixture(kind)
    const [a, b, c, d, e] = await fx.add([{ severity: 'low' }, { severity: 'low' }, { severity: 'low' }, { severity: 'medium' }, { severity: 'critical' }])
    const triaged = Date.parse((await fx.trail.cases.caseFacts(a!))!.entry.triaged_at)
    fx.clock.ms = triaged + 60_000
    const desk = fx.desk()
    await desk.act({ action: 'close', ids: [a!], disposition: 'escalated', reason: 'unusual wires' }, 'ann') // SAR decision due triaged + 30 days
    await desk.act({ action: 'close', ids: [b!], disposition: 'escalated', reason: 'unusual wires' }, 'ann')
    await desk.act({ action: 'extend', ids: [b!], reason: 'waiting for the bank' }, 'ann') // now due triaged + 60 days
    await desk.act({ action: 'close', ids: [c!], disposition: 'sar_filed', reason: 'filed', reference: 'SAR-1' }, 'ann') // review in 90, follow-up in 120 days
    await desk.act({ action: 'close', ids: [e!], disposition: 'escalated', reason: 'sanctions' }, 'ann') // critical: waits for approval, its clock runs
    void d

    const counts = async (atMs: number) => {
      const h = createCaseHandlers({
        trail: fx!.trail,
        settings: async () => ({ settings: defaultSettings(), baseDir: fx!.dir, source: 'test' }),
        emit: () => {},
        osUser: () => 'ann',
        now: () => atMs
      })
      return api.caseQueue.output.parse(await h.caseQueue(api.caseQueue.input.parse({ view: 'all', limit: 1 }))).counts
    }
    expect((await counts(triaged + DAY_MS)).clocks_due_soon).toBe(0)
    const at28 = await counts(triaged + 28 * DAY_MS)
    expect(at28.clocks_due_soon).toBe(2) // a, and e: its close is due long before (1 day, overdue now), but its clock runs too
    expect(at28.overdue).toBeGreaterThanOrEqual(1)
    const at31 = await counts(triaged + 31 * DAY_MS)
    expect(at31.clocks_due_soon).toBe(0) // a and e are overdue now, counted there
    expect((await counts(triaged + 58 * DAY_MS)).clocks_due_soon).toBe(1) // b, extended to 60 days
    expect((await counts(triaged + 88 * DAY_MS)).clocks_due_soon).toBe(1) // c's continuing review (90 days after the filing)
  })
})
