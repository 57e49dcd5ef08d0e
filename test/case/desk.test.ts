// Every case transition and refusal, on SQLite and on PostgreSQL, through the real engine's trail.
import { afterEach, describe, expect, it } from 'vitest'
import { CaseDesk, CaseRefusal } from '../../src-main/core/case/desk.js'
import { DAY_MS } from '../../src-main/core/case/model.js'
import { defaultCasePolicy } from '../../src-main/core/case/policy.js'
import { caseFixture, STORE_KINDS, type CaseFixture } from './fixture.js'

const policy = defaultCasePolicy()
let fx: CaseFixture | null = null
afterEach(async () => {
  await fx?.close()
  fx = null
})

describe.each(STORE_KINDS)('case work on %s', (kind) => {
  it('walks an alert from open to closed through four-eyes, and the trail verifies', async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'high' }])
    const desk = fx.desk()
    expect((await desk.show(id!))!.view.state).toBe('open')
    await desk.act({ action: 'ack', ids: [id!] }, 'alice')
    await desk.act({ action: 'assign', ids: [id!], to: 'alice' }, 'alice')
    expect((await desk.show(id!))!.view).toMatchObject({ state: 'acknowledged', assignee: 'alice', acknowledged_by: 'alice' })
    await desk.act({ action: 'note', ids: [id!], text: 'customer called back' }, 'alice')
    expect((await desk.show(id!))!.view.state).toBe('investigating')
    const closed = await desk.act({ action: 'close', ids: [id!], disposition: 'false_positive', reason: 'known payroll pattern' }, 'alice')
    expect(closed.cases).toEqual([{ id, state: 'pending_approval' }])
    await expect(desk.act({ action: 'approve', ids: [id!] }, 'Alice')).rejects.toThrow(`alert ${id}: Alice closed it and cannot approve their own close`)
    await desk.act({ action: 'reject', ids: [id!], reason: 'attach the call note' }, 'bob')
    expect((await desk.show(id!))!.view.state).toBe('investigating')
    await desk.act({ action: 'close', ids: [id!], disposition: 'false_positive', reason: 'payroll, call note attached' }, 'alice')
    await desk.act({ action: 'approve', ids: [id!] }, 'bob')
    const v = (await desk.show(id!))!.view
    expect(v).toMatchObject({ state: 'closed', disposition: 'false_positive', closed_by: 'alice', approved_by: 'bob', pending: null })
    const types = (await desk.show(id!))!.facts.events.map((e) => e.type)
    expect(types).toEqual(['acknowledged', 'assigned', 'note', 'closed', 'rejected', 'closed', 'approved'])
    await desk.act({ action: 'reopen', ids: [id!], reason: 'new information from the bank' }, 'carol')
    expect((await desk.show(id!))!.view).toMatchObject({ state: 'investigating', disposition: null })
    const r = await fx.trail.store.verify()
    expect(r.ok).toBe(true)
    expect(r.cases).toEqual({ count: 8, problem: null, queue: [] })
  })

  it('an approval of her own close written around the desk does not close the case, and verify names it', async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'critical' }])
    const desk = fx.desk()
    await desk.act({ action: 'close', ids: [id!], disposition: 'false_positive', reason: 'looks fine' }, 'alice')
    const at = new Date().toISOString()
    const [forged] = await fx.trail.cases.recordCase([id!], () => [{ entry_id: id!, type: 'approved', by: 'ALICE', at, data: {} }], policy.targets)
    expect((await desk.show(id!))!.view).toMatchObject({ state: 'pending_approval', approved_by: null })
    const r = await fx.trail.store.verify()
    expect(r.ok).toBe(false)
    expect(r.cases.problem).toMatchObject({
      id: forged!.id,
      problem: `case event ${forged!.id} breaks four-eyes: alert ${id}'s close approved by ALICE, who closed it`
    })
  })

  it('refuses what the state or the rules do not allow, naming the alert, and writes nothing', async () => {
    fx = await caseFixture(kind)
    const [low, crit] = await fx.add([{ severity: 'low' }, { severity: 'critical' }])
    const desk = fx.desk()
    const refused = async (p: Promise<unknown>, msg: string | RegExp) => {
      const e = await p.then(
        () => null,
        (x: unknown) => x
      )
      expect(e).toBeInstanceOf(CaseRefusal)
      expect((e as CaseRefusal).exitCode).toBe(2)
      expect((e as Error).message).toMatch(msg)
    }
    await refused(
      desk.act({ action: 'close', ids: [low!], disposition: 'fine', reason: 'x' }, 'alice'),
      new RegExp(`^alert ${low}: "fine" is not a disposition \\(use one of: false_positive, not_suspicious, escalated, sar_filed\\)$`)
    )
    await refused(
      desk.act({ action: 'close', ids: [low!], disposition: 'false_positive', reason: '  ' }, 'alice'),
      new RegExp(`^alert ${low}: a reason for the close is required$`)
    )
    await refused(
      desk.act({ action: 'close', ids: [low!, crit!, 11, 12, 13, 14, 15], disposition: 'fine', reason: 'x' }, 'alice'),
      new RegExp(`^alerts ${low}, ${crit}, 11, 12, 13 and 2 more: "fine" is not a disposition`)
    )
    await refused(desk.act({ action: 'approve', ids: [low!] }, 'bob'), new RegExp(`alert ${low}: is open, not waiting for approval`))
    await refused(desk.act({ action: 'reopen', ids: [low!], reason: 'r' }, 'bob'), new RegExp(`alert ${low}: is open, not closed`))
    await refused(desk.act({ action: 'ack', ids: [999] }, 'bob'), /alert 999: no such alert in this trail/)
    await refused(desk.act({ action: 'note', ids: [low!, crit!], text: 't' }, 'bob'), /note takes one alert at a time/)
    await refused(desk.act({ action: 'extend', ids: [low!], reason: 'r' }, 'bob'), /has no running SAR decision clock/)
    await refused(desk.act({ action: 'ack', ids: [low!] }, ''), new RegExp(`^alert ${low}: the officer is required`))
    // A low alert closes without approval; closing it again, acknowledging or assigning it is refused.
    const r = await desk.act({ action: 'close', ids: [low!], disposition: 'not_suspicious', reason: 'reviewed' }, 'alice')
    expect(r.cases[0]!.state).toBe('closed')
    expect(r.events.map((e) => e.type)).toEqual(['acknowledged', 'closed']) // closing an unacknowledged alert acknowledges it first
    await refused(
      desk.act({ action: 'close', ids: [low!], disposition: 'not_suspicious', reason: 'again' }, 'alice'),
      /is closed \(not_suspicious by alice at .*\); reopen it first/
    )
    await refused(desk.act({ action: 'ack', ids: [low!] }, 'alice'), /is closed/)
    // Bulk: one refused alert refuses the whole action.
    await refused(desk.act({ action: 'ack', ids: [crit!, low!] }, 'bob'), new RegExp(`alert ${low}: is closed .*\\(nothing was recorded for the 2 alerts\\)`))
    expect((await desk.show(crit!))!.facts.events).toEqual([])
    await desk.act({ action: 'ack', ids: [crit!] }, 'bob')
    await refused(desk.act({ action: 'ack', ids: [crit!] }, 'carol'), /was already acknowledged by bob/)
    await desk.act({ action: 'assign', ids: [crit!], to: 'bob' }, 'bob')
    await refused(desk.act({ action: 'assign', ids: [crit!], to: 'BOB' }, 'bob'), /is already assigned to bob/)
    await desk.act({ action: 'close', ids: [crit!], disposition: 'false_positive', reason: 'r' }, 'bob')
    await refused(desk.act({ action: 'close', ids: [crit!], disposition: 'false_positive', reason: 'r' }, 'carol'), /is waiting for approval of bob's close/)
    await refused(desk.act({ action: 'reject', ids: [crit!], reason: 'no' }, 'bob'), /cannot reject their own close/)
    expect((await fx.trail.store.verify()).ok).toBe(true)
  })

  it('compares officers from the settings by id, whatever name is typed', async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'critical' }])
    const desk = fx.desk({
      officers: [
        { id: 'jdoe', name: 'Jane Doe' },
        { id: 'rroe', name: 'Richard Roe' }
      ]
    })
    await expect(desk.act({ action: 'ack', ids: [id!] }, 'mallory')).rejects.toThrow('"mallory" is not one of the officers in the settings (jdoe, rroe)')
    await desk.act({ action: 'close', ids: [id!], disposition: 'false_positive', reason: 'r' }, 'Jane Doe')
    await expect(desk.act({ action: 'approve', ids: [id!] }, 'JDOE')).rejects.toThrow('Jane Doe (jdoe) closed it and cannot approve their own close')
    await desk.act({ action: 'approve', ids: [id!] }, 'richard roe')
    expect((await desk.show(id!))!.view).toMatchObject({ closed_by: 'jdoe', approved_by: 'rroe' })
  })

  it('runs the regulatory clocks: escalation, one extension, the filing and its continuing-activity clocks', async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'medium' }])
    const desk = fx.desk()
    const triaged = Date.parse((await desk.show(id!))!.facts.entry.triaged_at)
    await desk.act({ action: 'close', ids: [id!], disposition: 'escalated', reason: 'structuring pattern' }, 'alice')
    let v = (await desk.show(id!))!.view
    expect(v.clocks).toEqual([
      {
        kind: 'sar_decision',
        started_at: new Date(fx.clock.ms).toISOString(),
        due_at: new Date(triaged + 30 * DAY_MS).toISOString(),
        extended: false,
        stopped_at: null,
        state: 'running'
      }
    ])
    await desk.act({ action: 'extend', ids: [id!], reason: 'no suspect identified yet' }, 'alice')
    await expect(desk.act({ action: 'extend', ids: [id!], reason: 'again' }, 'alice')).rejects.toThrow('was already extended once')
    v = (await desk.show(id!))!.view
    expect(v.clocks[0]).toMatchObject({ due_at: new Date(triaged + 60 * DAY_MS).toISOString(), extended: true })
    fx.clock.ms = triaged + 61 * DAY_MS
    expect((await desk.show(id!))!.view.clocks[0]!.state).toBe('overdue')
    fx.clock.ms = triaged + 45 * DAY_MS
    await desk.act({ action: 'sar', ids: [id!], reference: 'SAR-2026-0042' }, 'alice')
    v = (await desk.show(id!))!.view
    const filed = fx.clock.ms
    expect(v.disposition).toBe('sar_filed')
    expect(v.sar_references).toEqual(['SAR-2026-0042'])
    expect(v.clocks.map((c) => [c.kind, c.state, c.due_at])).toEqual([
      ['sar_decision', 'met', new Date(triaged + 60 * DAY_MS).toISOString()],
      ['continuing_review', 'running', new Date(filed + 90 * DAY_MS).toISOString()],
      ['follow_up_filing', 'running', new Date(filed + 120 * DAY_MS).toISOString()]
    ])
    // The queue keeps the closed alert while a clock runs: it is due at the next clock.
    const q = await fx.trail.cases.caseQueue({ view: 'all', me: null, nowMs: fx.clock.ms, limit: 10, offset: 0, targets: policy.targets })
    expect(q.rows.find((r) => r.id === id)).toMatchObject({ state: 'closed', due_ms: filed + 90 * DAY_MS })
    // Activity ended: reopened and closed as not suspicious, the continuing clocks stop.
    await desk.act({ action: 'reopen', ids: [id!], reason: 'review' }, 'bob')
    await desk.act({ action: 'close', ids: [id!], disposition: 'not_suspicious', reason: 'activity ceased' }, 'bob')
    v = (await desk.show(id!))!.view
    expect(v.clocks.every((c) => c.stopped_at !== null)).toBe(true)
    expect((await fx.trail.store.verify()).ok).toBe(true)
  })

  it('close as sar_filed needs the reference and records the filing', async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'low' }])
    const desk = fx.desk()
    await expect(desk.act({ action: 'close', ids: [id!], disposition: 'sar_filed', reason: 'filed' }, 'alice')).rejects.toThrow(
      'the SAR reference (--reference)'
    )
    await desk.act({ action: 'close', ids: [id!], disposition: 'sar_filed', reason: 'filed', reference: 'FIU-1' }, 'alice')
    const v = (await desk.show(id!))!.view
    expect(v).toMatchObject({ state: 'closed', disposition: 'sar_filed', sar_references: ['FIU-1'] })
    expect(v.clocks.map((c) => `${c.kind}:${c.state}`)).toEqual(['sar_decision:met', 'continuing_review:running', 'follow_up_filing:running'])
  })

  it('keeps evidence in the trail, content-addressed, named by the event', async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'low' }])
    const desk = fx.desk()
    const bytes = Buffer.from('%PDF-1.4 statement of account\n\u0000binary')
    const r = await desk.act({ action: 'evidence', ids: [id!], name: 'statement.pdf', bytes }, 'alice')
    const data = JSON.parse(r.events[0]!.data) as { sha256: string; size: number; name: string }
    expect(data).toMatchObject({ name: 'statement.pdf', size: bytes.length })
    expect(Buffer.compare((await fx.trail.cases.evidence(data.sha256))!, bytes)).toBe(0)
    await expect(desk.act({ action: 'evidence', ids: [id!], name: '../etc/passwd', bytes }, 'alice')).rejects.toThrow('a name, not a path')
  })

  it('serves the queues: mine, unassigned, awaiting my approval, overdue, sorted by what is due first', async () => {
    fx = await caseFixture(kind)
    const ids = await fx.add([{ severity: 'low' }, { severity: 'critical' }, { severity: 'high' }, { severity: 'medium' }, { severity: 'critical' }])
    const [low, crit1, high, medium, crit2] = ids as [number, number, number, number, number]
    const desk = fx.desk()
    const now = Date.parse((await desk.show(crit1))!.facts.entry.triaged_at)
    const q = (view: 'mine' | 'unassigned' | 'approval' | 'overdue' | 'all', me: string | null, nowMs = now, extra = {}) =>
      fx!.trail.cases.caseQueue({ view, me, nowMs, limit: 50, offset: 0, targets: policy.targets, ...extra })
    // Open alerts are due to be acknowledged: criticals first (15 min), then high (1 h), medium (4 h), low (1 day).
    expect((await q('unassigned', null)).rows.map((r) => r.id)).toEqual([crit1, crit2, high, medium, low])
    await desk.act({ action: 'assign', ids: [crit2, medium], to: 'alice' }, 'bob')
    await desk.act({ action: 'close', ids: [high], disposition: 'false_positive', reason: 'dup of case 7' }, 'alice')
    expect((await q('mine', 'alice')).rows.map((r) => r.id)).toEqual([crit2, medium])
    expect((await q('unassigned', null)).rows.map((r) => r.id)).toEqual([crit1, low, high]) // high now waits for approval: due to close in 3 days
    expect((await q('approval', 'alice')).rows).toEqual([])
    expect((await q('approval', 'bob')).rows.map((r) => [r.id, r.pending_closer])).toEqual([[high, 'alice']])
    // Two hours on: the criticals and the high one (1 h to acknowledge) are overdue; high is acknowledged, due to close in 3 days.
    const later = now + 2 * 3600_000
    const overdue = (await q('overdue', null, later)).rows.map((r) => r.id)
    expect(overdue.sort()).toEqual([crit1, crit2].sort())
    const c = await fx.trail.cases.caseCounts('alice', later, policy.targets)
    expect(c).toEqual({
      mine: 2,
      unassigned: 3,
      approval: 0,
      overdue: 2,
      by_state: { open: 4, acknowledged: 0, investigating: 0, pending_approval: 1, closed: 0 }
    })
    expect((await q('all', null, now, { state: 'pending_approval' })).total).toBe(1)
    expect((await q('all', null, now, { assignee: 'alice' })).total).toBe(2)
  })

  it('shows other alerts for the same customer in the 90 days around it', async () => {
    fx = await caseFixture(kind)
    const [a, b, , d] = await fx.add([
      { severity: 'low', customer: 'CUST-9', createdAt: '2026-11-01T00:00:00Z' },
      { severity: 'high', customer: 'CUST-9', createdAt: '2026-11-20T00:00:00Z' },
      { severity: 'high', customer: 'CUST-1', createdAt: '2026-11-20T00:00:00Z' },
      { severity: 'high', customer: 'CUST-9', createdAt: '2026-03-01T00:00:00Z' }
    ])
    expect((await fx.trail.cases.relatedAlerts(b!, 90, 20, policy.targets)).map((r) => r.id)).toEqual([a])
    expect((await fx.trail.cases.relatedAlerts(d!, 90, 20, policy.targets)).map((r) => r.id)).toEqual([])
  })

  it("never records an event before the alert's last one, when this workstation's clock is behind another's", async () => {
    fx = await caseFixture(kind)
    const [id] = await fx.add([{ severity: 'high' }])
    const ahead = fx.desk()
    const behindClock = { ms: fx.clock.ms - 3600_000 }
    const behind = new CaseDesk(fx.trail.cases, policy, () => behindClock.ms)
    await ahead.act({ action: 'close', ids: [id!], disposition: 'false_positive', reason: 'r' }, 'alice')
    const r = await behind.act({ action: 'approve', ids: [id!] }, 'bob')
    const closedAt = new Date(fx.clock.ms).toISOString()
    expect(r.events[0]!.at).toBe(closedAt) // not an hour before the close it approves
    expect((await behind.show(id!))!.view).toMatchObject({ closed_at: closedAt, approved_by: 'bob' })
    behindClock.ms = fx.clock.ms + 60_000 // once the clock is past the last event, its own time again
    const later = await behind.act({ action: 'note', ids: [id!], text: 't' }, 'bob')
    expect(later.events[0]!.at).toBe(new Date(behindClock.ms).toISOString())
  })

  it('lists approvals and "mine" comparing names as four-eyes does (ignoring case)', async () => {
    fx = await caseFixture(kind)
    const [a, b] = await fx.add([{ severity: 'high' }, { severity: 'low' }])
    const desk = fx.desk()
    await desk.act({ action: 'close', ids: [a!], disposition: 'false_positive', reason: 'r' }, 'alice')
    await desk.act({ action: 'assign', ids: [b!], to: 'Bob' }, 'alice')
    const q = (view: 'approval' | 'mine', me: string, extra = {}) =>
      fx!.trail.cases.caseQueue({ view, me, nowMs: fx!.clock.ms, limit: 10, offset: 0, targets: policy.targets, ...extra })
    // ALICE is alice: her own close is not awaiting her approval (approving it is refused).
    expect((await q('approval', 'ALICE')).rows).toEqual([])
    await expect(desk.act({ action: 'approve', ids: [a!] }, 'ALICE')).rejects.toThrow('cannot approve their own close')
    expect((await q('approval', 'bob')).rows.map((r) => r.id)).toEqual([a])
    expect((await q('mine', 'bob')).rows.map((r) => r.id)).toEqual([b])
    expect((await q('mine', 'alice', { assignee: 'BOB' })).total).toBe(0)
    expect((await q('approval', 'carol', { assignee: 'bob' })).total).toBe(0)
    expect(await fx.trail.cases.caseCounts('ALICE', fx.clock.ms, policy.targets)).toMatchObject({ approval: 0, mine: 0 })
    expect(await fx.trail.cases.caseCounts('BOB', fx.clock.ms, policy.targets)).toMatchObject({ approval: 1, mine: 1 })
  })

  it('detects an edited case event and a queue changed behind its events', async () => {
    fx = await caseFixture(kind)
    const [id, other] = await fx.add([{ severity: 'low' }, { severity: 'low' }])
    const desk = fx.desk()
    await desk.act({ action: 'close', ids: [id!], disposition: 'false_positive', reason: 'r' }, 'alice')
    expect((await fx.trail.store.verify()).ok).toBe(true)
    await rawExec(fx, "UPDATE case_queue SET assignee = 'mallory' WHERE entry_id = ?", [other!], 'case_queue')
    let r = await fx.trail.store.verify()
    expect(r.ok).toBe(false)
    expect(r.cases.queue[0]).toBe(`the queue shows alert ${other} as open (mallory), but it has no case events`)
    await rawExec(fx, 'UPDATE case_queue SET assignee = NULL WHERE entry_id = ?', [other!], 'case_queue')
    await rawExec(fx, `UPDATE case_events SET data = replace(data, 'false_positive', 'not_suspicious') WHERE type = 'closed'`, [], 'case_events')
    r = await fx.trail.store.verify()
    expect(r.ok).toBe(false)
    expect(r.cases.problem!.problem).toBe('case event 2 was modified after it was recorded (hash mismatch)')
  })
})

describe.runIf(STORE_KINDS.includes('postgres'))('case work on postgres, with another workstation importing', () => {
  it('an alert triaged after the queue caught up, inside the same case write, gets its queue row and its state', async () => {
    fx = await caseFixture('postgres')
    const [first] = await fx.add([{ severity: 'low' }])
    const desk = fx.desk()
    await desk.act({ action: 'ack', ids: [first!] }, 'alice') // the queue is caught up
    // Another workstation's import commits between this write's catch-up (under the queue's lock) and its read of
    // the alerts (read committed: that read sees the new alert).
    const store = fx.trail.cases as unknown as { catchUpOn: (...a: unknown[]) => Promise<void> }
    const catchUpOn = store.catchUpOn.bind(store)
    let imported: number[] = []
    store.catchUpOn = async (...a: unknown[]) => {
      await catchUpOn(...a)
      store.catchUpOn = catchUpOn
      imported = await fx!.add([{ severity: 'critical' }])
    }
    await desk.act({ action: 'close', ids: [first!, first! + 1], disposition: 'false_positive', reason: 'r' }, 'alice')
    expect(imported).toEqual([first! + 1])
    const q = await fx.trail.cases.caseQueue({
      view: 'all',
      me: null,
      state: 'pending_approval',
      nowMs: fx.clock.ms,
      limit: 10,
      offset: 0,
      targets: policy.targets
    })
    expect(q.rows.map((r) => [r.id, r.state, r.pending_closer])).toEqual([[first! + 1, 'pending_approval', 'alice']])
    const r = await fx.trail.store.verify()
    expect(r.cases.queue).toEqual([])
    expect(r.ok).toBe(true)
  })
})

/** A statement straight on the database, past the append-only triggers (what a tamperer with database access does). */
async function rawExec(fx: CaseFixture, sqlText: string, params: unknown[], table: string): Promise<void> {
  if (fx.trail.kind === 'sqlite') {
    const db = (fx.trail.store as unknown as { db: import('better-sqlite3').Database }).db
    db.exec(`DROP TRIGGER IF EXISTS ${table}_no_update`)
    db.prepare(sqlText).run(...params)
  } else {
    const { sql } = await import('../store/pg.js')
    let n = 0
    await sql(fx.pgUrl!, `ALTER TABLE ${table} DISABLE TRIGGER ALL`)
    await sql(
      fx.pgUrl!,
      sqlText.replace(/\?/g, () => `$${++n}`),
      params
    )
  }
}
