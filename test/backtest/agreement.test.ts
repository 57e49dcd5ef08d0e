// The agreement figures, by hand: twelve alerts the default rules triaged (risk scores 95 / 80 / 50 / 10 →
// critical / high / medium / low), officers' case work on them through the CaseDesk (four-eyes approvals, a
// reopen, a SAR filed after an escalation, a custom disposition, a close still waiting for approval), and a draft
// whose effect on each score is known: 95 → high (lowered, still high), 80 → medium (lowered below high),
// 50 → medium (kept), 10 → medium (raised).
import { afterEach, describe, expect, it } from 'vitest'
import { backtestTrail } from '../../src-main/core/backtest/index.js'
import { DEFAULT_ROUTING } from '../../src-main/core/route/index.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from '../case/fixture.js'
import { rulesFrom } from '../helpers.js'
import { ALL_TIME } from './fixture.js'

const draft = rulesFrom(`
name: draft
rules:
  - { id: very-high, description: risk 90+, when: { field: risk_score, gte: 90 }, severity: high }
  - { id: elevated, description: risk 60+, when: { field: risk_score, gte: 60 }, severity: medium }
  - { id: middle, description: risk 45+, when: { field: risk_score, gte: 45 }, severity: medium }
  - { id: small, description: risk 10 or less, when: { field: risk_score, lte: 10 }, severity: medium }
`)

let f: CaseFixture | null = null
afterEach(async () => {
  await f?.close()
  f = null
})

describe.each(STORE_KINDS)('agreement with case dispositions (%s)', (kind) => {
  it('counts every disposition the way its definition says', async () => {
    f = await caseFixture(kind)
    const [a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12] = (await f.add([
      { severity: 'low' }, // a1  false_positive, raised by the draft: disagrees
      { severity: 'medium' }, // a2  false_positive, kept: agrees
      { severity: 'high' }, // a3  false_positive (approved), lowered: agrees
      { severity: 'critical' }, // a4  escalated (approved), lowered to high: agrees
      { severity: 'high' }, // a5  escalated (approved), then a SAR filed → sar_filed; lowered to medium: below high
      { severity: 'critical' }, // a6  sar_filed (approved), lowered to high: agrees
      { severity: 'medium' }, // a7  not_suspicious, kept: agrees
      { severity: 'high' }, // a8  escalated, waiting for approval: no disposition
      { severity: 'medium' }, // a9  false_positive, then reopened: no disposition
      { severity: 'low' }, // a10 no case work
      { severity: 'high' }, // a11 not_suspicious (approved), lowered: agrees
      { severity: 'medium' } // a12 a custom code: closed, not rated
    ])) as [number, number, number, number, number, number, number, number, number, number, number, number]
    const desk = f.desk({ cases: { dispositions: ['false_positive', 'not_suspicious', 'escalated', 'sar_filed', 'duplicate_case'] } })
    const close = (ids: number[], disposition: string, extra: { reference?: string } = {}) =>
      desk.act({ action: 'close', ids, disposition, reason: 'reviewed', ...extra }, 'ann')
    const approve = (ids: number[]) => desk.act({ action: 'approve', ids }, 'bob')
    await close([a1, a2, a3, a9], 'false_positive')
    await close([a4, a5, a8], 'escalated')
    await close([a6], 'sar_filed', { reference: 'SAR-2026-1' })
    await close([a7, a11], 'not_suspicious')
    await close([a12], 'duplicate_case')
    await approve([a3, a4, a5, a6, a11])
    await desk.act({ action: 'sar', ids: [a5], reference: 'SAR-2026-2' }, 'ann')
    await desk.act({ action: 'reopen', ids: [a9], reason: 'new information' }, 'bob')

    const got = await backtestTrail(f.trail, { draft, routing: DEFAULT_ROUTING, period: ALL_TIME })
    expect(got.alerts).toBe(12)
    expect(got.transitions).toEqual({ 'low->medium': 2, 'medium->medium': 4, 'high->medium': 4, 'critical->high': 2 })
    expect(got.by_severity_before).toEqual({ low: 2, medium: 4, high: 4, critical: 2 })
    expect(got.by_severity_after).toEqual({ low: 0, medium: 10, high: 2, critical: 0 })
    expect(got.changed).toBe(8)
    expect(got.changed_ids).toEqual([a1, a3, a4, a5, a6, a8, a10, a11])
    expect(got.deliveries_before).toEqual({
      'email:archive': 2,
      'email:compliance': 4,
      'email:compliance-leads': 2,
      'slack:compliance-critical': 2,
      'slack:compliance-high': 4,
      'slack:compliance-info': 4
    })
    expect(got.deliveries_after).toEqual({
      'email:archive': 0,
      'email:compliance': 2,
      'email:compliance-leads': 0,
      'slack:compliance-critical': 0,
      'slack:compliance-high': 2,
      'slack:compliance-info': 10
    })
    expect(got.agreement).toEqual({
      closed: 9,
      by_disposition: {
        duplicate_case: { total: 1, lowered: 0, kept: 1, raised: 0 },
        escalated: { total: 1, lowered: 1, kept: 0, raised: 0 },
        false_positive: { total: 3, lowered: 1, kept: 1, raised: 1 },
        not_suspicious: { total: 2, lowered: 1, kept: 1, raised: 0 },
        sar_filed: { total: 2, lowered: 2, kept: 0, raised: 0 }
      },
      false_positive: { total: 3, lowered: 1, raised: 1 },
      not_suspicious: { total: 2, lowered: 1, raised: 0 },
      escalated_or_sar: { total: 3, escalated: 1, sar_filed: 2, lowered_below_high: 1, lowered_below_high_ids: [a5] },
      rated: 8,
      agreeing: 6,
      rate: 0.75,
      definition: expect.stringContaining('not lowered below high')
    })

    // The dispositions the backtest derived from the case events are the queue's (its read model, caught up).
    const queue = await f.trail.cases.caseQueue({
      view: 'all',
      me: null,
      state: 'closed',
      nowMs: f.clock.ms,
      limit: 100,
      offset: 0,
      targets: desk.policy.targets
    })
    expect(Object.fromEntries(queue.rows.map((r) => [r.id, r.disposition]))).toEqual({
      [a1]: 'false_positive',
      [a2]: 'false_positive',
      [a3]: 'false_positive',
      [a4]: 'escalated',
      [a5]: 'sar_filed',
      [a6]: 'sar_filed',
      [a7]: 'not_suspicious',
      [a11]: 'not_suspicious',
      [a12]: 'duplicate_case'
    })
  })

  it('the ids of escalated alerts lowered below high stop at 100; the rate is null when nothing is rated', async () => {
    f = await caseFixture(kind)
    const ids = await f.add(Array.from({ length: 130 }, () => ({ severity: 'high' as const })))
    const desk = f.desk({ cases: { four_eyes: [] } })
    const none = await backtestTrail(f.trail, { draft, routing: DEFAULT_ROUTING, period: ALL_TIME })
    expect(none.agreement).toMatchObject({ closed: 0, rated: 0, agreeing: 0, rate: null })
    await desk.act({ action: 'close', ids, disposition: 'escalated', reason: 'reviewed' }, 'ann')
    const got = await backtestTrail(f.trail, { draft, routing: DEFAULT_ROUTING, period: ALL_TIME })
    expect(got.agreement.escalated_or_sar).toEqual({
      total: 130,
      escalated: 130,
      sar_filed: 0,
      lowered_below_high: 130,
      lowered_below_high_ids: ids.slice(0, 100)
    })
    expect(got.agreement).toMatchObject({ closed: 130, rated: 130, agreeing: 0, rate: 0 })
  })
})
