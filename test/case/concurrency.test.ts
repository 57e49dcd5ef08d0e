// Two workstations on one PostgreSQL trail (team mode): two CaseDesk instances, each on a trail of its own opened
// on the same database URL (their own pools, as two processes have), acting on the same alerts at the same time.
// Case writes are serialized by the queue's lock: whatever the interleaving, each alert gets one acknowledgement,
// bulk actions stay all-or-nothing, nobody approves their own close, and the trail verifies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaseDesk, CaseRefusal, type CaseAction } from '../../src-main/core/case/desk.js'
import { deriveCase } from '../../src-main/core/case/derive.js'
import type { CaseEventRow } from '../../src-main/core/case/model.js'
import { defaultCasePolicy } from '../../src-main/core/case/policy.js'
import type { Trail } from '../../src-main/core/ports/trail.js'
import { openTrail } from '../../src-main/store/open.js'
import { pgUnavailable } from '../store/pg.js'
import { caseFixture, type CaseFixture } from './fixture.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`[case concurrency] skipped: ${unavailable}`)

const policy = defaultCasePolicy()
const later = (ms: number) => new Promise((ok) => setTimeout(ok, ms))
const N = 200

describe.skipIf(!!unavailable)(
  unavailable ? `two workstations on one PostgreSQL trail — SKIPPED: ${unavailable}` : 'two workstations racing on one PostgreSQL trail',
  () => {
    let fx: CaseFixture
    let other: Trail
    let a: CaseDesk
    let b: CaseDesk
    beforeAll(async () => {
      fx = await caseFixture('postgres')
      other = await openTrail(fx.pgUrl!)
      a = new CaseDesk(fx.trail.cases, policy, () => fx.clock.ms)
      b = new CaseDesk(other.cases, policy, () => fx.clock.ms)
    })
    afterAll(async () => {
      await other?.close()
      await fx?.close()
    })

    /** Runs the action; a refusal is an outcome, anything else fails the test. */
    const attempt = (desk: CaseDesk, act: CaseAction, by: string) =>
      desk.act(act, by).then(
        (r) => ({ ok: true as const, r }),
        (e: unknown) => {
          if (!(e instanceof CaseRefusal)) throw e
          return { ok: false as const, message: e.message }
        }
      )
    const eventsOf = async (trail: Trail, id: number): Promise<CaseEventRow[]> => (await trail.cases.caseFacts(id))!.events

    async function intact(): Promise<void> {
      for (const t of [fx.trail, other]) {
        const v = await t.store.verify()
        expect(v.cases.problem).toBeNull()
        expect(v.cases.queue).toEqual([])
        expect(v.ok).toBe(true)
      }
    }

    it(`both acknowledge the same ${N} alerts at once, one alert per action: each alert gets exactly one acknowledgement`, async () => {
      const ids = await fx.add(Array.from({ length: N }, (_, i) => ({ severity: (['critical', 'high', 'medium', 'low'] as const)[i % 4]! })))
      expect(ids).toHaveLength(N)
      // Which side asks first alternates, with a little jitter: both sides win some.
      const outcomes = (
        await Promise.all(
          ids.map(async (id, i) => {
            const ack = (desk: CaseDesk, by: string, ms: number) => later(ms).then(() => attempt(desk, { action: 'ack', ids: [id] }, by))
            const [x, y] = i % 2 ? [ack(a, 'alice', i % 3), ack(b, 'bob', 0)] : [ack(a, 'alice', 0), ack(b, 'bob', i % 3)]
            return Promise.all([x, y])
          })
        )
      ).flat()
      expect(outcomes.filter((o) => o.ok)).toHaveLength(N)
      for (const o of outcomes) if (!o.ok) expect(o.message).toMatch(/^alert \d+: was already acknowledged by (alice|bob) at /)
      const wins = outcomes.filter((o, i) => o.ok && i % 2 === 0).length
      expect(wins, 'alice won every race: no race happened').toBeLessThan(N)
      expect(wins, 'bob won every race: no race happened').toBeGreaterThan(0)
      for (const [i, id] of ids.entries()) {
        const mine = outcomes.slice(2 * i, 2 * i + 2)
        expect(
          mine.filter((o) => o.ok),
          `alert ${id}`
        ).toHaveLength(1)
        const events = await eventsOf(other, id)
        expect(events.map((e) => e.type)).toEqual(['acknowledged'])
        expect(events[0]!.by).toBe(mine[0]!.ok ? 'alice' : 'bob')
      }
      await intact()
    })

    it(`both acknowledge the same ${N} alerts at once, in one bulk action each: one wins them all, the other records nothing`, async () => {
      const ids = await fx.add(Array.from({ length: N }, () => ({ severity: 'low' as const })))
      const [x, y] = await Promise.all([attempt(a, { action: 'ack', ids }, 'alice'), attempt(b, { action: 'ack', ids }, 'bob')])
      expect([x.ok, y.ok].sort()).toEqual([false, true])
      const lost = (x.ok ? y : x) as { ok: false; message: string }
      expect(lost.message).toContain(`(nothing was recorded for the ${N} alerts)`)
      const winner = x.ok ? 'alice' : 'bob'
      for (const id of ids) expect((await eventsOf(fx.trail, id)).map((e) => `${e.type}:${e.by}`)).toEqual([`acknowledged:${winner}`])
      await intact()
    })

    it('close and approve from both sides, every interleaving: nobody approves their own close', async () => {
      const ids = await fx.add(Array.from({ length: 100 }, (_, i) => ({ severity: i % 2 ? ('high' as const) : ('critical' as const) })))
      // Each side closes as its officer, then approves as its officer (its own close or the other side's, whichever
      // is waiting when it gets there); a third attempt approves as the officer who just closed (always refused).
      const close = (id: number): CaseAction => ({ action: 'close', ids: [id], disposition: 'false_positive', reason: 'reviewed' })
      const approve = (id: number): CaseAction => ({ action: 'approve', ids: [id] })
      const side = async (desk: CaseDesk, id: number, me: string, delay: number) => {
        await later(delay)
        const closed = await attempt(desk, close(id), me)
        const self = closed.ok ? await attempt(desk, approve(id), me) : null
        const approved = await attempt(desk, approve(id), me)
        return { closed, self, approved }
      }
      const results = await Promise.all(
        ids.map(async (id, i) => {
          const [x, y] = await Promise.all([side(a, id, 'alice', i % 3), side(b, id, 'Bob', (i * 7) % 4)])
          return { id, x, y }
        })
      )
      let approvals = 0
      for (const { id, x, y } of results) {
        // Exactly one close was recorded first; the other side's close was refused (waiting for approval), unless
        // it came after the approval (then: already closed). An own approval is always refused.
        expect([x.closed.ok, y.closed.ok].filter(Boolean), `alert ${id}`).toHaveLength(1)
        for (const s of [x, y]) if (s.self) expect(s.self.ok, `alert ${id}: own approval`).toBe(false)
        const events = await eventsOf(other, id)
        let closer: string | null = null
        for (const e of events) {
          if (e.type === 'closed') closer = e.by
          if (e.type === 'approved') {
            approvals++
            expect(closer).not.toBeNull()
            expect(e.by.toLowerCase(), `alert ${id}: approved by its closer`).not.toBe(closer!.toLowerCase())
          }
        }
        const v = deriveCase(events)
        expect(v.state).toBe('closed')
        expect(v.approved_by!.toLowerCase()).not.toBe(v.closed_by!.toLowerCase())
        expect(events.filter((e) => e.type === 'approved')).toHaveLength(1)
      }
      expect(approvals).toBe(ids.length)
      const counts = await other.cases.caseCounts('alice', fx.clock.ms, policy.targets)
      expect(counts.by_state.pending_approval).toBe(0)
      await intact()
    })

    it('a close racing a reject and an approval of an earlier close: the trail stays one story per alert', async () => {
      const ids = await fx.add(Array.from({ length: 60 }, () => ({ severity: 'critical' as const })))
      for (const id of ids) await a.act({ action: 'close', ids: [id], disposition: 'escalated', reason: 'pattern' }, 'alice')
      // bob approves on one workstation while carol rejects on the other and alice closes again: one of approve /
      // reject wins; alice's new close only lands after a reject (and bob's approval may then approve it).
      await Promise.all(
        ids.map((id, i) => {
          const four = [
            () => attempt(a, { action: 'approve', ids: [id] }, 'bob'),
            () => attempt(b, { action: 'reject', ids: [id], reason: 'more evidence' }, 'carol'),
            () => attempt(b, { action: 'close', ids: [id], disposition: 'not_suspicious', reason: 'second look' }, 'alice'),
            () => attempt(a, { action: 'approve', ids: [id] }, 'alice')
          ]
          // Another order for each alert (a rotation, and every other one reversed), each after its own jitter.
          const order = [0, 1, 2, 3].map((k) => four[(k + i) % 4]!)
          if (i % 2) order.reverse()
          return Promise.all(order.map((f, k) => later((i + k) % 3).then(f)))
        })
      )
      const stories = new Set<string>()
      for (const id of ids) {
        const events = await eventsOf(fx.trail, id)
        const types = events.map((e) => e.type).filter((t) => t !== 'clock_started' && t !== 'acknowledged')
        expect(events[0]!.type).toBe('acknowledged') // the first close acknowledged it
        expect([
          ['closed', 'approved'],
          ['closed', 'rejected'],
          ['closed', 'rejected', 'closed'],
          ['closed', 'rejected', 'closed', 'approved']
        ]).toContainEqual(types)
        expect(events.filter((e) => e.type === 'approved').every((e) => e.by === 'bob')).toBe(true)
        stories.add(types.join(','))
      }
      expect(stories.size, `only ever ${[...stories].join(' / ')}: no race happened`).toBeGreaterThan(1)
      await intact()
    })
  }
)
