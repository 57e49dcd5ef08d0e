// Case work invariants under generated sequences of officers' actions (fast-check), on the real engine's trail:
// whatever is asked, refused or not, the queue read model says what the events derive, the trail verifies, a
// refusal writes nothing, nobody approves their own close, a closed alert has a disposition and a reason, and an
// alert's events never go back in time (even from a workstation whose clock is behind). A small model of the
// state machine written here (states, who acknowledged, assigned and closed) predicts every state and refusal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { CaseRefusal, type CaseAction } from '../../src-main/core/case/desk.js'
import { deriveCase } from '../../src-main/core/case/derive.js'
import { CASE_STATES, type CaseEventRow, type CaseState } from '../../src-main/core/case/model.js'
import { casePolicy, casesSettingsSchema, type CasePolicy } from '../../src-main/core/case/policy.js'
import { dueMs, project } from '../../src-main/core/case/queue.js'
import { CaseDesk } from '../../src-main/core/case/desk.js'
import { QUEUE_VIEWS, type QueueRow } from '../../src-main/core/ports/cases.js'
import type { Severity } from '../../src-main/core/model.js'
import { caseFixture, STORE_KINDS, type CaseFixture, type StoreKind } from './fixture.js'

const RUNS: Record<StoreKind, number> = { sqlite: Number(process.env.CASE_PROPERTY_RUNS ?? 100), postgres: Number(process.env.CASE_PROPERTY_RUNS_PG ?? 40) }

// Settings a team may change between two actions: the state recorded never depends on them (the close records
// the four-eyes rule in force), and the queue's deadlines follow the targets of the day.
const POLICIES: CasePolicy[] = [
  casePolicy(casesSettingsSchema.parse({})),
  casePolicy(casesSettingsSchema.parse({ four_eyes: ['critical'], dispositions: ['false_positive', 'not_suspicious', 'escalated', 'sar_filed', 'duplicate'] })),
  casePolicy(
    casesSettingsSchema.parse({
      four_eyes: [],
      targets_minutes: {
        critical: { acknowledge: 5, close: 60 },
        high: { acknowledge: 10, close: 120 },
        medium: { acknowledge: 30, close: 600 },
        low: { acknowledge: 60, close: 6000 }
      }
    })
  ),
  casePolicy(casesSettingsSchema.parse({ four_eyes: ['critical', 'high', 'medium', 'low'] }))
]

// Free names (no officers listed): the same person typed in another case is the same person.
const ACTORS = ['alice', 'Alice', 'ALICE', 'bob', 'Bob', 'carol'] as const
const ASSIGNEES = ['alice', 'bob', 'carol', 'Bob'] as const
const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

// --- the model -----------------------------------------------------------------------------------------------

interface Model {
  state: CaseState
  assignee: string | null
  closer: string | null
}

type Gen =
  | { action: 'ack' | 'approve'; targets: number[] }
  | { action: 'assign'; targets: number[]; to: string }
  | { action: 'note'; targets: number[]; text: string }
  | { action: 'close'; targets: number[]; disposition: string; reason: string; reference?: string }
  | { action: 'reject' | 'reopen' | 'extend'; targets: number[]; reason: string }
  | { action: 'sar'; targets: number[]; reference: string }

const usable = (t: string | undefined) => !!t && t.trim().length > 0 && t.trim().length <= 10_000 && !/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(t)

/** What the model expects for one alert: its next state, 'refused', or undefined when it does not predict (extend, sar). */
function expect1(m: Model, g: Gen, by: string, severity: Severity, p: CasePolicy): Model | 'refused' | undefined {
  switch (g.action) {
    case 'ack':
      // An alert is acknowledged in every state but open (closing acknowledges it first; reopening keeps it).
      return m.state !== 'open' ? 'refused' : { ...m, state: 'acknowledged' }
    case 'assign':
      if (m.state === 'closed' || (m.assignee !== null && same(m.assignee, g.to))) return 'refused'
      return { ...m, assignee: g.to }
    case 'note':
      return { ...m, state: m.state === 'acknowledged' ? 'investigating' : m.state }
    case 'close':
      if (m.state === 'closed' || m.state === 'pending_approval') return 'refused'
      return p.fourEyes.has(severity) ? { ...m, state: 'pending_approval', closer: by } : { ...m, state: 'closed', closer: null }
    case 'approve':
      if (m.state !== 'pending_approval' || same(m.closer!, by)) return 'refused'
      return { ...m, state: 'closed', closer: null }
    case 'reject':
      if (m.state !== 'pending_approval' || same(m.closer!, by)) return 'refused'
      return { ...m, state: 'investigating', closer: null }
    case 'reopen':
      return m.state !== 'closed' ? 'refused' : { ...m, state: 'investigating' }
    case 'extend':
    case 'sar':
      return undefined
  }
}

/** Refused before any alert is looked at: the input itself (a code not in the settings, a blank reason). */
function inputRefused(g: Gen, p: CasePolicy): boolean {
  switch (g.action) {
    case 'note':
      return !usable(g.text)
    case 'close':
      return !p.dispositions.includes(g.disposition.trim()) || !usable(g.reason) || (g.disposition.trim() === 'sar_filed' && !usable(g.reference))
    case 'reject':
    case 'reopen':
    case 'extend':
      return !usable(g.reason)
    case 'sar':
      return !usable(g.reference)
    default:
      return false
  }
}

// --- generators ----------------------------------------------------------------------------------------------

const text = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('reviewed', 'customer called back', 'dup of 7', 'Überweisung geprüft — ok', '確認済み 👍') },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.constantFrom('', '   ', 'bad\u0007bell', 'tab\tand\nnewline ok') }
)
const reference = fc.oneof({ weight: 5, arbitrary: fc.stringMatching(/^SAR-[0-9]{4}$/) }, { weight: 1, arbitrary: fc.constant(' ') })
const disposition = fc.constantFrom('false_positive', 'not_suspicious', 'escalated', 'escalated', 'sar_filed', 'sar_filed', 'duplicate', 'bogus', ' escalated ')

function gen(n: number): fc.Arbitrary<Gen> {
  const one = fc.integer({ min: 0, max: n - 1 }).map((i) => [i])
  // Bulk actions take several alerts (duplicates allowed: the desk acts once on each).
  const some = fc.array(fc.integer({ min: 0, max: n - 1 }), { minLength: 1, maxLength: Math.min(n, 4) })
  return fc.oneof(
    { weight: 3, arbitrary: fc.record({ action: fc.constant('ack' as const), targets: some }) },
    { weight: 2, arbitrary: fc.record({ action: fc.constant('assign' as const), targets: some, to: fc.constantFrom(...ASSIGNEES) }) },
    { weight: 2, arbitrary: fc.record({ action: fc.constant('note' as const), targets: one, text }) },
    {
      weight: 5,
      arbitrary: fc.record(
        { action: fc.constant('close' as const), targets: some, disposition, reason: text, reference: fc.option(reference, { nil: undefined }) },
        { requiredKeys: ['action', 'targets', 'disposition', 'reason'] }
      )
    },
    { weight: 4, arbitrary: fc.record({ action: fc.constant('approve' as const), targets: some }) },
    { weight: 2, arbitrary: fc.record({ action: fc.constant('reject' as const), targets: one, reason: text }) },
    { weight: 2, arbitrary: fc.record({ action: fc.constant('reopen' as const), targets: one, reason: text }) },
    { weight: 1, arbitrary: fc.record({ action: fc.constant('extend' as const), targets: one, reason: text }) },
    { weight: 2, arbitrary: fc.record({ action: fc.constant('sar' as const), targets: one, reference }) }
  )
}

const MINUTE = 60_000
const advance = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 90 * MINUTE }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 3 * 1440 * MINUTE }) },
  { weight: 1, arbitrary: fc.integer({ min: 20 * 1440 * MINUTE, max: 70 * 1440 * MINUTE }) }
)

const scenario = fc
  .record({
    severities: fc.array(fc.constantFrom<Severity>('critical', 'high', 'medium', 'low'), { minLength: 1, maxLength: 5 }),
    skewMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 6 * 60 * MINUTE })),
    queryAs: fc.constantFrom(...ACTORS)
  })
  .chain((s) =>
    fc.record({
      severities: fc.constant(s.severities),
      skewMs: fc.constant(s.skewMs),
      queryAs: fc.constant(s.queryAs),
      steps: fc.array(
        fc.record({
          gen: gen(s.severities.length),
          by: fc.constantFrom(...ACTORS),
          desk: fc.constantFrom<'A' | 'B'>('A', 'A', 'B'),
          policy: fc.nat({ max: POLICIES.length - 1 }),
          advanceMs: advance
        }),
        { minLength: 1, maxLength: 18 }
      )
    })
  )

// --- the checks ----------------------------------------------------------------------------------------------

interface Alert {
  id: number
  severity: Severity
  triagedMs: number
  model: Model
}

function toAction(g: Gen, ids: number[]): CaseAction {
  const { targets: _t, ...rest } = g
  return { ...rest, ids } as CaseAction
}

/** The invariants each alert's own events keep, whatever was asked. */
function checkEvents(a: Alert, events: CaseEventRow[]): void {
  let lastAt = ''
  let closer: string | null = null
  for (const e of events) {
    expect(e.entry_id).toBe(a.id)
    expect(e.at >= lastAt, `alert ${a.id}: event ${e.id} (${e.type}) at ${e.at} is before the one before it (${lastAt})`).toBe(true)
    lastAt = e.at
    if (e.type === 'closed') closer = (JSON.parse(e.data) as { requires_approval: boolean }).requires_approval ? e.by : null
    if (e.type === 'approved' || e.type === 'rejected') {
      expect(closer, `alert ${a.id}: ${e.type} with no close waiting`).not.toBeNull()
      expect(same(closer!, e.by), `alert ${a.id}: ${e.by} ${e.type} their own close`).toBe(false)
      closer = null
    }
  }
  const v = deriveCase(events)
  expect(v.state).toBe(a.model.state)
  expect(v.assignee).toBe(a.model.assignee)
  expect(v.pending?.by ?? null).toBe(a.model.closer)
  if (v.state === 'closed') {
    expect(v.disposition).toBeTruthy()
    expect(v.reason).toBeTruthy()
    if (v.approved_by) expect(same(v.approved_by, v.closed_by!)).toBe(false)
  }
}

/** The queue read model, through caseQueue (every view, every state) and caseCounts, against deriveCase over the events. */
async function checkQueue(
  fx: CaseFixture,
  alerts: Map<number, Alert>,
  events: Map<number, CaseEventRow[]>,
  p: CasePolicy,
  nowMs: number,
  me: string
): Promise<void> {
  const q = (view: (typeof QUEUE_VIEWS)[number], extra: Record<string, unknown> = {}) =>
    fx.trail.cases.caseQueue({ view, me, nowMs, limit: 100_000, offset: 0, targets: p.targets, ...extra }) as Promise<{ rows: QueueRow[]; total: number }>
  const want = new Map<number, ReturnType<typeof project> & { due_ms: number | null }>()
  for (const a of alerts.values()) {
    const pr = project(deriveCase(events.get(a.id) ?? []))
    want.set(a.id, { ...pr, due_ms: dueMs(pr, a.severity, a.triagedMs, p.targets) })
  }
  // Every row, by state: what the store keeps is what the events say.
  const seen = new Set<number>()
  for (const state of CASE_STATES) {
    const r = await q('all', { state })
    expect(r.total).toBe(r.rows.length)
    for (const row of r.rows) {
      const w = want.get(row.id)
      expect(w, `queue row for unknown alert ${row.id}`).toBeDefined()
      expect({
        id: row.id,
        state: row.state,
        assignee: row.assignee,
        pending_closer: row.pending_closer,
        disposition: row.disposition,
        due_ms: row.due_ms === null ? null : Number(row.due_ms)
      }).toEqual({ id: row.id, state: w!.state, assignee: w!.assignee, pending_closer: w!.pending_closer, disposition: w!.disposition, due_ms: w!.due_ms })
      seen.add(row.id)
    }
  }
  expect(seen.size).toBe(alerts.size)
  // Each view holds exactly the alerts its rule picks, what is due first first.
  const rule: Record<(typeof QUEUE_VIEWS)[number], (w: ReturnType<typeof want.get> & object) => boolean> = {
    mine: (w) => w.assignee !== null && same(w.assignee, me) && w.due_ms !== null,
    unassigned: (w) => w.assignee === null && w.state !== 'closed' && w.due_ms !== null,
    approval: (w) => w.state === 'pending_approval' && !same(w.pending_closer!, me),
    overdue: (w) => w.due_ms !== null && w.due_ms < nowMs,
    all: (w) => w.due_ms !== null
  }
  const counts = await fx.trail.cases.caseCounts(me, nowMs, p.targets)
  for (const view of QUEUE_VIEWS) {
    const r = await q(view)
    const expected = [...want.entries()].filter(([, w]) => rule[view](w)).map(([id]) => id)
    expect(
      [...r.rows.map((x) => x.id)].sort((a, b) => a - b),
      `view ${view} as ${me}`
    ).toEqual(expected.sort((a, b) => a - b))
    expect(r.total).toBe(expected.length)
    const due = r.rows.map((x) => (x.due_ms === null ? Infinity : Number(x.due_ms)))
    expect(due).toEqual([...due].sort((a, b) => a - b))
    if (view !== 'all') expect(counts[view], `count ${view}`).toBe(expected.length)
  }
  const byState = Object.fromEntries(CASE_STATES.map((s) => [s, [...want.values()].filter((w) => w.state === s).length]))
  expect(counts.by_state).toEqual(byState)
}

// --- the property --------------------------------------------------------------------------------------------

describe.each(STORE_KINDS)('case work invariants on %s (generated action sequences)', (kind) => {
  let fx: CaseFixture
  const alerts = new Map<number, Alert>()
  /** Earlier runs' alerts, as they were left (nothing acts on them again). */
  const settled = new Map<number, CaseEventRow[]>()
  let eventCount = 0
  beforeAll(async () => {
    fx = await caseFixture(kind)
  })
  afterAll(async () => {
    await fx?.close()
  })

  it('keeps the queue derivable, the trail intact, refusals without effect, four-eyes, and time forward', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const ids = await fx.add(s.severities.map((severity) => ({ severity })))
        expect(ids).toHaveLength(s.severities.length)
        // The trail's own time: no earlier than the triage of the newest alert (all earlier runs' events too).
        fx.clock.ms = Math.max(fx.clock.ms, Date.now()) + MINUTE
        const run: Alert[] = []
        for (const [i, id] of ids.entries()) {
          const f = (await fx.trail.cases.caseFacts(id))!
          expect(f.entry.severity).toBe(s.severities[i])
          const a: Alert = { id, severity: f.entry.severity, triagedMs: Date.parse(f.entry.triaged_at), model: { state: 'open', assignee: null, closer: null } }
          alerts.set(id, a)
          run.push(a)
        }
        const desks = (p: CasePolicy) => ({
          A: new CaseDesk(fx.trail.cases, p, () => fx.clock.ms),
          B: new CaseDesk(fx.trail.cases, p, () => fx.clock.ms - s.skewMs)
        })
        const events = new Map<number, CaseEventRow[]>(settled)
        const factsOf = async (a: Alert) => (await fx.trail.cases.caseFacts(a.id))!.events

        for (const step of s.steps) {
          fx.clock.ms += step.advanceMs
          const p = POLICIES[step.policy]!
          const targets = [...new Set(step.gen.targets.map((i) => run[i]!))]
          const before = new Map<number, CaseEventRow[]>()
          for (const a of run) before.set(a.id, await factsOf(a))
          // The model's prediction: all or nothing over the alerts given.
          let predicted: Map<number, Model> | 'refused' | undefined = new Map()
          if (inputRefused(step.gen, p)) predicted = 'refused'
          else
            for (const a of targets) {
              const next = expect1(a.model, step.gen, step.by, a.severity, p)
              if (next === 'refused') {
                predicted = 'refused'
                break
              }
              if (next === undefined) {
                predicted = undefined
                break
              }
              predicted.set(a.id, next)
            }

          let outcome: Awaited<ReturnType<CaseDesk['act']>> | 'refused'
          try {
            outcome = await desks(p)[step.desk].act(
              toAction(
                step.gen,
                targets.map((a) => a.id)
              ),
              step.by
            )
          } catch (e) {
            if (!(e instanceof CaseRefusal)) throw e
            // A refusal names the alerts, on one line.
            expect(e.message).not.toContain('\n')
            expect(e.message).toMatch(/^alerts? \d+(, \d+)*: /)
            outcome = 'refused'
          }

          if (predicted !== undefined)
            expect(
              outcome === 'refused' ? 'refused' : 'done',
              `${step.gen.action} by ${step.by} on ${targets.map((a) => `${a.id} (${a.severity}, ${a.model.state})`).join(', ')}`
            ).toBe(predicted === 'refused' ? 'refused' : 'done')
          for (const a of run) {
            const now = await factsOf(a)
            const was = before.get(a.id)!
            if (outcome === 'refused') expect(now, `a refused ${step.gen.action} wrote to alert ${a.id}`).toEqual(was)
            else {
              // Appended, never rewritten: what was there stays, the action's events come after, in order.
              expect(now.slice(0, was.length)).toEqual(was)
              expect(now.slice(was.length)).toEqual(outcome.events.filter((e) => e.entry_id === a.id))
              const mine = targets.includes(a)
              expect(now.length > was.length).toBe(mine)
              if (mine) {
                a.model = predicted instanceof Map ? predicted.get(a.id)! : { ...a.model }
                expect(outcome.cases.find((c) => c.id === a.id)!.state).toBe(deriveCase(now).state)
              }
            }
            events.set(a.id, now)
          }
          if (outcome !== 'refused') eventCount += outcome.events.length
          for (const a of run) checkEvents(a, events.get(a.id)!)
          await checkQueue(fx, alerts, events, p, fx.clock.ms, s.queryAs)
        }

        for (const a of run) settled.set(a.id, events.get(a.id) ?? (await factsOf(a)))
        const v = await fx.trail.store.verify()
        expect(v.cases).toEqual({ count: eventCount, problem: null, queue: [] })
        expect(v.ok).toBe(true)
      }),
      { numRuns: RUNS[kind], endOnFailure: true }
    )
  }, 120_000)
})
