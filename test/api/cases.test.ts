// Case work through the API on both stores: the queue with counts, one alert's case with its timeline, SLA and
// related alerts, actions by this workstation's officer or a named one, refusals as user errors naming the
// alert, the caseChanged event, evidence from a file, and a read-only trail that records nothing.
import { afterEach, describe, expect, it } from 'vitest'
import { api, type Method } from '../../src-main/api/contract.js'
import { writeFile } from '../helpers.js'
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

describe.each(STORE_KINDS)('case API on %s', (kind) => {
  it('serves the queues and records actions by the workstation officer, with four-eyes by a colleague', async () => {
    h = await harness({ kind, settings: { officers, officer: 'Ann Officer' } })
    await ok('loadSampleData', {})
    const q = await ok('caseQueue', { view: 'unassigned' })
    expect(q.me).toBe('ann')
    expect(q.officers).toEqual(officers)
    expect(q.dispositions).toEqual(['false_positive', 'not_suspicious', 'escalated', 'sar_filed'])
    expect(q.total).toBe(q.counts.unassigned)
    expect(q.counts.by_state.open).toBeGreaterThan(10)
    const crit = q.rows.find((r) => r.severity === 'critical')!
    expect(q.rows[0]!.severity).toBe('critical') // 15 minutes to acknowledge: due first
    expect(crit).toMatchObject({ state: 'open', assignee: null, due_kind: 'acknowledge', overdue: false })
    const low = q.rows
      .filter((r) => r.severity === 'low')
      .slice(0, 3)
      .map((r) => r.id)

    await ok('caseAction', { action: 'assign', ids: [crit.id], to: 'ann' })
    await ok('caseAction', { action: 'close', ids: [crit.id], disposition: 'false_positive', reason: 'known counterparty' })
    const bulk = await ok('caseAction', { action: 'close', ids: low, disposition: 'not_suspicious', reason: 'reviewed in bulk' })
    expect(bulk.cases.map((c) => c.state)).toEqual(['closed', 'closed', 'closed'])
    expect(bulk.events.filter((e) => e.type === 'closed').map((e) => e.entry_id)).toEqual(low) // one event each
    expect(h.events.filter((e) => e.type === 'caseChanged').at(-1)).toEqual({ type: 'caseChanged', action: 'close', by: 'ann', ids: low })

    const own = await h.handlers.call('caseAction', { action: 'approve', ids: [crit.id] })
    expect(own).toMatchObject({
      ok: false,
      error: {
        code: 'user_error',
        message: `alert ${crit.id}: Ann Officer (ann) closed it and cannot approve their own close; another officer must (four-eyes)`
      }
    })
    expect((await ok('caseQueue', { view: 'approval' })).total).toBe(0) // Ann's own close is not hers to approve
    expect((await ok('caseQueue', { view: 'mine' })).rows.map((r) => [r.id, r.state])).toEqual([[crit.id, 'pending_approval']])

    await ok('caseAction', { action: 'approve', ids: [crit.id], by: 'Ben Officer' })
    const c = await ok('getCase', { id: crit.id })
    expect(c).toMatchObject({ state: 'closed', disposition: 'false_positive', closed_by: 'ann', approved_by: 'ben', four_eyes: true })
    expect(c.events.map((e) => [e.type, e.by_name])).toEqual([
      ['assigned', 'Ann Officer'],
      ['acknowledged', 'Ann Officer'],
      ['closed', 'Ann Officer'],
      ['approved', 'Ben Officer']
    ])
    expect(c.sla.acknowledge).toMatchObject({ target_seconds: 900, met: true, overdue: false })
    expect(c.allowed).toEqual(expect.arrayContaining(['reopen', 'note']))
    expect(c.allowed).not.toContain('close')

    const refused = await h.handlers.call('caseAction', { action: 'close', ids: [low[0]!], disposition: 'fine', reason: 'r' })
    expect(refused).toMatchObject({ ok: false, error: { code: 'user_error', message: expect.stringMatching(/"fine" is not a disposition/) } })
    const stranger = await h.handlers.call('caseAction', { action: 'ack', ids: [crit.id], by: 'mallory' })
    expect(stranger).toMatchObject({ ok: false, error: { code: 'user_error', message: expect.stringMatching(/"mallory" is not one of the officers/) } })
    expect((await h.trail.store.verify()).ok).toBe(true)
  })

  it('keeps evidence from a file, and refuses a missing one', async () => {
    h = await harness({ kind })
    await ok('loadSampleData', {})
    const path = writeFile(h.dir, 'call-note.txt', 'Customer confirmed the payroll run by phone.\n')
    const r = await ok('caseAction', { action: 'evidence', ids: [1], path, by: 'ann' })
    expect(r.events[0]!.data).toEqual({ name: 'call-note.txt', size: 45, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) })
    const missing = await h.handlers.call('caseAction', { action: 'evidence', ids: [1], path: `${path}.gone`, by: 'ann' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'user_error', message: expect.stringMatching(/does not exist/) } })
    expect((await ok('getCase', { id: 1 })).state).toBe('open') // evidence alone does not acknowledge
  })

  it('validates inputs by field, and a missing alert is not_found', async () => {
    h = await harness({ kind })
    expect(await h.handlers.call('caseAction', { action: 'note', ids: [1, 2], text: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await h.handlers.call('caseQueue', { view: 'everything' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', message: expect.stringMatching(/^caseQueue: view/) }
    })
    expect(await h.handlers.call('getCase', { id: 4242 })).toMatchObject({ ok: false, error: { code: 'not_found', message: 'alert 4242 does not exist' } })
  })
})
