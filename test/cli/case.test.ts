// `triage case` as scripts use it, through the real command on a `triage demo` database: the case as JSON, every
// action with --by, refusals as one line on stderr naming the alert with exit 2, the queue listing with its
// filters, and `triage verify` over the case events (intact, then an edited event found with exit 1).
import { beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { cli, tempDir, writeFile, type CliResult } from '../helpers.js'

let dir: string
let db: string
let home: string
/** alert ids of the demo data by severity, in queue order */
let bySeverity: Record<'critical' | 'high' | 'medium' | 'low', number[]>

const triage = (args: string[], extra: string[] = ['--db', db]) => cli([...args, ...extra], { env: { TRIAGE_HOME: home } })

function ok(r: CliResult): CliResult {
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`)
  return r
}

/** A refusal: exit 2, one line on stderr naming the alert, nothing on stdout. */
function refused(r: CliResult, id: number, why: RegExp): void {
  expect(r.status, r.stderr).toBe(2)
  expect(r.stdout).toBe('')
  const lines = r.stderr.trimEnd().split('\n')
  expect(lines, r.stderr).toHaveLength(1)
  expect(lines[0]).toMatch(new RegExp(`^triage: alert ${id}: `))
  expect(lines[0]).toMatch(why)
}

const show = (id: number) => ok(triage(['case', 'show', String(id), '--json'])).json()

beforeAll(() => {
  dir = tempDir('triage-cli-case-')
  home = join(dir, 'home')
  db = join(dir, 'demo.db')
  ok(cli(['demo', '--db', db, '--json'], { env: { TRIAGE_HOME: home } }))
  const list = ok(triage(['case', 'list', '--json', '--limit', '1000'])).json() as { cases: Array<{ id: number; severity: keyof typeof bySeverity }> }
  bySeverity = { critical: [], high: [], medium: [], low: [] }
  for (const c of list.cases) bySeverity[c.severity].push(c.id)
}, 180_000)

describe('triage case', () => {
  it('show --json gives the case: state, assignee, disposition, events and clocks', () => {
    const id = bySeverity.medium[0]!
    const c = show(id)
    expect(c).toMatchObject({ id, severity: 'medium', state: 'open', assignee: null, disposition: null, events: [], clocks: [] })
    ok(triage(['case', 'ack', String(id), '--by', 'alice']))
    ok(triage(['case', 'assign', String(id), '--to', 'bob', '--by', 'alice']))
    ok(triage(['case', 'note', String(id), '--text', 'customer called back', '--by', 'bob']))
    const r = ok(triage(['case', 'close', String(id), '--disposition', 'escalated', '--reason', 'structuring pattern', '--by', 'bob', '--json'])).json()
    expect(r).toMatchObject({ by: 'bob', cases: [{ id, state: 'closed' }] })
    expect(r.events.map((e: { type: string }) => e.type)).toEqual(['closed', 'clock_started'])
    const after = show(id)
    expect(after).toMatchObject({ id, severity: 'medium', state: 'closed', assignee: 'bob', disposition: 'escalated', reason: 'structuring pattern' })
    expect(after.events.map((e: Record<string, unknown>) => [e.type, e.by])).toEqual([
      ['acknowledged', 'alice'],
      ['assigned', 'alice'],
      ['note', 'bob'],
      ['closed', 'bob'],
      ['clock_started', 'bob']
    ])
    for (const e of after.events) {
      expect(Object.keys(e).slice(0, 4)).toEqual(['id', 'type', 'by', 'at'])
      expect(new Date(e.at).toISOString()).toBe(e.at)
    }
    // Each event's own fields flattened beside type, by and at.
    expect(after.events[1]).toMatchObject({ type: 'assigned', to: 'bob' })
    expect(after.events[2]).toMatchObject({ type: 'note', text: 'customer called back' })
    expect(after.events[3]).toMatchObject({ type: 'closed', disposition: 'escalated', reason: 'structuring pattern', requires_approval: false })
    expect(after.clocks).toHaveLength(1)
    expect(after.clocks[0]).toMatchObject({ kind: 'sar_decision', state: 'running' })
    for (const k of ['started_at', 'due_at']) expect(new Date(after.clocks[0][k]).toISOString()).toBe(after.clocks[0][k])
    // The text form says the same for people.
    const text = ok(triage(['case', 'show', String(id)])).stdout
    expect(text).toContain(`alert ${id} (medium)`)
    expect(text).toMatch(/state: closed, assigned to bob, disposition escalated \(structuring pattern\)/)
    expect(text).toMatch(/clock sar_decision: running, due /)
  }, 180_000)

  it('four-eyes: the closer cannot approve or reject; another officer can; reopen goes back to investigating', () => {
    const id = bySeverity.critical[0]!
    expect(ok(triage(['case', 'close', String(id), '--disposition', 'false_positive', '--reason', 'known counterparty', '--by', 'alice'])).stdout).toBe(
      `alert ${id}: closed by alice; now pending approval\n`
    )
    refused(
      triage(['case', 'approve', String(id), '--by', 'Alice']),
      id,
      /Alice closed it and cannot approve their own close; another officer must \(four-eyes\)$/
    )
    refused(triage(['case', 'reject', String(id), '--reason', 'no', '--by', 'alice']), id, /cannot reject their own close/)
    expect(ok(triage(['case', 'reject', String(id), '--reason', 'attach the call note', '--by', 'bob'])).stdout).toBe(
      `alert ${id}: rejected (back to investigating) by bob; now investigating\n`
    )
    ok(triage(['case', 'close', String(id), '--disposition', 'false_positive', '--reason', 'call note attached', '--by', 'alice']))
    ok(triage(['case', 'approve', String(id), '--by', 'bob']))
    expect(show(id)).toMatchObject({ state: 'closed', disposition: 'false_positive', closed_by: 'alice', approved_by: 'bob' })
    ok(triage(['case', 'reopen', String(id), '--reason', 'new information', '--by', 'carol']))
    expect(show(id)).toMatchObject({ state: 'investigating', disposition: null })
  }, 180_000)

  it('refuses what the state or the settings do not allow: exit 2, one line naming the alert, nothing recorded', () => {
    const [low, low2] = bySeverity.low as [number, number]
    const before = show(low).events.length
    refused(
      triage(['case', 'close', String(low), '--disposition', 'fine', '--reason', 'x', '--by', 'alice']),
      low,
      /"fine" is not a disposition \(use one of: false_positive, not_suspicious, escalated, sar_filed\)$/
    )
    refused(triage(['case', 'approve', String(low), '--by', 'bob']), low, /is open, not waiting for approval$/)
    refused(
      triage(['case', 'close', String(low), '--disposition', 'sar_filed', '--reason', 'filed', '--by', 'alice']),
      low,
      /the SAR reference \(--reference\)/
    )
    expect(show(low).events).toHaveLength(before)
    ok(triage(['case', 'close', String(low), '--disposition', 'not_suspicious', '--reason', 'reviewed', '--by', 'alice']))
    refused(triage(['case', 'ack', String(low), '--by', 'bob']), low, /is closed \(not_suspicious by alice at .*\); reopen it first$/)
    // Bulk: one refused alert refuses all of them, and says so.
    const r = triage(['case', 'ack', String(low2), String(low), '--by', 'bob'])
    refused(r, low, /\(nothing was recorded for the 2 alerts\)$/)
    expect(show(low2).events).toEqual([])
    const missing = triage(['case', 'ack', '99999', '--by', 'bob'])
    refused(missing, 99999, /no such alert in this trail/)
  }, 180_000)

  it('list --json with --state, --assignee and --overdue', () => {
    const [m1, m2, m3] = bySeverity.medium.slice(1, 4) as [number, number, number]
    ok(triage(['case', 'assign', String(m1), String(m2), '--to', 'dana', '--by', 'alice']))
    ok(triage(['case', 'ack', String(m3), '--by', 'dana']))
    const list = (...args: string[]) => ok(triage(['case', 'list', '--json', '--limit', '1000', ...args])).json()
    const all = list()
    expect(Object.keys(all)).toEqual(['total', 'counts', 'cases'])
    expect(all.total).toBe(all.cases.length)
    const states = all.counts.by_state
    expect(Object.values(states as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(71) // every alert of the demo
    for (const c of all.cases) expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'severity', 'state', 'assignee', 'due_at', 'due_kind', 'overdue']))
    const due = all.cases.map((c: { due_ms: number }) => c.due_ms)
    expect(due).toEqual([...due].sort((a: number, b: number) => a - b)) // what is due first, first
    const dana = list('--assignee', 'dana')
    expect(dana.cases.map((c: { id: number }) => c.id).sort()).toEqual([m1, m2].sort())
    expect(list('--assignee', 'DANA').total).toBe(2)
    expect(list('--state', 'acknowledged').cases.map((c: { id: number }) => c.id)).toContain(m3)
    const closed = list('--state', 'closed') // closed alerts too, deadline or not
    expect(closed.total).toBe(states.closed)
    for (const c of closed.cases) expect(c.state).toBe('closed')
    // Nothing is overdue a moment after the import with the default targets...
    expect(list('--overdue').total).toBe(0)
    // ...with targets of a few milliseconds (settings), every alert still open or being worked on is.
    const tiny = { acknowledge: 0.0001, close: 0.0002 }
    const cfg = writeFile(dir, 'tiny-targets.json', JSON.stringify({ cases: { targets_minutes: { critical: tiny, high: tiny, medium: tiny, low: tiny } } }))
    const overdue = list('--overdue', '--config', cfg)
    expect(overdue.total).toBe(overdue.counts.overdue)
    expect(overdue.total).toBe(71 - states.closed)
    for (const c of overdue.cases) expect(c).toMatchObject({ overdue: true })
    const danaOverdue = list('--overdue', '--assignee', 'dana', '--config', cfg)
    expect(danaOverdue.total).toBe(2)
    const r = triage(['case', 'list', '--state', 'done'])
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe('triage: --state takes one of open, acknowledged, investigating, pending_approval, closed')
  }, 180_000)

  it('verify checks the case events: intact, then an edited event is found (exit 1)', () => {
    const v = ok(triage(['verify', '--json'])).json()
    expect(v).toMatchObject({ ok: true, case_problem: null, case_queue_problems: [] })
    expect(v.case_events).toBeGreaterThan(10)
    expect(ok(triage(['verify'])).stdout).toMatch(new RegExp(`^audit trail intact: 71 entries, head [0-9a-f]{64}; ${v.case_events} case events chained\\n$`))
    // A tamperer with the file: drops the append-only trigger and rewrites a close's disposition.
    const d = new Database(db)
    const closed = d.prepare("SELECT id FROM case_events WHERE type = 'closed' ORDER BY id LIMIT 1").pluck().get() as number
    d.exec('DROP TRIGGER case_events_no_update')
    d.prepare("UPDATE case_events SET data = replace(data, 'escalated', 'false_positive') WHERE id = ?").run(closed)
    d.close()
    const r = triage(['verify', '--json'])
    expect(r.status).toBe(1)
    expect(r.json()).toMatchObject({
      ok: false,
      first_bad_entry: null,
      case_problem: `case event ${closed} was modified after it was recorded (hash mismatch)`
    })
    const text = triage(['verify'])
    expect(text.status).toBe(1)
    expect(text.stdout).toContain(`AUDIT TRAIL TAMPERED`)
    expect(text.stdout).toContain(`case events: case event ${closed} was modified after it was recorded (hash mismatch)`)
  }, 180_000)
})
