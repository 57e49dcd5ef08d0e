// The tray tells the officer at a glance: dry-run or live, paused or scheduled, what the last run did, their
// case work (assigned to me, approvals waiting, overdue, clocks due soon), each opening its Queue tab, and the
// reminder to a silence's author a day before it ends (opening the Rules screen's silences).
import { describe, expect, it, vi } from 'vitest'
import type { Reply } from '../../src-main/api/contract.js'
import { navigateHash, navigateTargetSchema } from '../../src-main/app/bridge-types.js'
import { affectsCaseCounts, TrayCaseCounts, trayCasesOf } from '../../src-main/app/tray-cases.js'
import { describeSchedule, runCountsText, trayModel, type TrayCases, type TrayState } from '../../src-main/app/tray-menu.js'
import { affectsSilences, TraySilenceReminder, traySilencesOf } from '../../src-main/app/tray-silences.js'

const time = (iso: string) => iso.slice(11, 16)
const base: TrayState = {
  schedule: { expression: '*/15 * * * *', paused: false, running: false, queued: false, nextRunAt: '2026-11-25T10:15:00.000Z', lastRun: null },
  dryRun: true,
  lastRun: null,
  engineProblem: null
}
const labels = (s: TrayState) => trayModel(s, time).items.flatMap((i) => ('label' in i ? [i.label] : ['---']))

describe('tray menu', () => {
  it('has Open, Run now, Pause, Dry-run, last and next run, Quit', () => {
    expect(labels(base)).toEqual([
      'Open Triage Desk',
      '---',
      'Run triage now',
      'Pause schedule',
      'Dry-run (nothing is sent)',
      '---',
      'Last run: none yet',
      'Next run 10:15 (every 15 minutes)',
      '---',
      'Quit Triage Desk'
    ])
  })

  it('shows dry-run clearly: a checked item, the tooltip, and the icon with the amber badge', () => {
    const m = trayModel(base, time)
    expect(m.items.find((i) => 'id' in i && i.id === 'toggle-dry-run')).toMatchObject({ kind: 'checkbox', checked: true })
    expect(m.tooltip).toContain('DRY-RUN')
    expect(m.icon).toBe('tray-dry-run')
    const live = trayModel({ ...base, dryRun: false }, time)
    expect(live.tooltip).toContain('LIVE: deliveries are sent')
    expect(live.icon).toBe('tray')
  })

  it('disables Run now during a run and says so', () => {
    const m = trayModel({ ...base, schedule: { ...base.schedule, running: true } }, time)
    expect(m.items.find((i) => 'id' in i && i.id === 'run-now')).toMatchObject({ label: 'Triage run in progress…', enabled: false })
    expect(m.tooltip).toContain('run in progress')
  })

  it('offers Resume when paused and shows the paused icon', () => {
    const m = trayModel({ ...base, schedule: { ...base.schedule, paused: true, nextRunAt: null } }, time)
    expect(labels({ ...base, schedule: { ...base.schedule, paused: true, nextRunAt: null } })).toContain('Resume schedule')
    expect(labels({ ...base, schedule: { ...base.schedule, paused: true } })).toContain('Schedule paused (every 15 minutes)')
    expect(m.icon).toBe('tray-paused')
  })

  it('shows the last run time and result, failures in capitals', () => {
    expect(labels({ ...base, lastRun: { at: '2026-11-25T10:00:03.000Z', status: 'ok', text: '12 triaged · 2 critical' } })).toContain(
      'Last run 10:00: ok · 12 triaged · 2 critical'
    )
    expect(labels({ ...base, lastRun: { at: '2026-11-25T10:00:03.000Z', status: 'failed', text: 'inbox folder /x does not exist' } })).toContain(
      'Last run 10:00: FAILED · inbox folder /x does not exist'
    )
  })

  it('says when the engine is down and blocks runs', () => {
    const m = trayModel({ ...base, engineProblem: 'cannot open the database /x/triage.db: disk full' }, time)
    expect(m.items[2]).toMatchObject({ kind: 'info', label: 'Engine stopped: cannot open the database /x/triage.db: disk full' })
    expect(m.items.find((i) => 'id' in i && i.id === 'run-now')).toMatchObject({ enabled: false })
  })

  it('names common schedules in words', () => {
    expect(describeSchedule('*/15 * * * *')).toBe('every 15 minutes')
    expect(describeSchedule('* * * * *')).toBe('every minute')
    expect(describeSchedule('0 * * * *')).toBe('every hour')
    expect(describeSchedule('0 */2 * * *')).toBe('every 2 hours')
    expect(describeSchedule('0 9 * * 1-5')).toBe('cron 0 9 * * 1-5')
  })

  it('sums a run up in one line', () => {
    expect(runCountsText({ triaged: 1200, duplicates: 3, quarantined: 0, critical: 2, errors: [] })).toBe('1,200 triaged · 2 critical · 3 duplicates')
    expect(runCountsText({ triaged: 0, duplicates: 0, quarantined: 1, critical: 0, errors: ['a.csv: bad header'] })).toBe(
      '0 triaged · 1 quarantined · a.csv: bad header'
    )
  })
})

const none: TrayCases = { mine: 0, approval: 0, overdue: 0, clocksDueSoon: 0 }

describe('tray menu: case work', () => {
  it('shows nothing about cases while there is no case work or the counts are not known', () => {
    expect(labels({ ...base, cases: none })).toEqual(labels(base))
    expect(labels({ ...base, cases: null })).toEqual(labels(base))
  })

  it('lists what is non-zero, worded in the singular and the plural, each opening its queue', () => {
    const m = trayModel({ ...base, cases: { mine: 3, approval: 1, overdue: 0, clocksDueSoon: 2 } }, time)
    expect(m.items.slice(0, 6)).toEqual([
      { kind: 'action', id: 'open', label: 'Open Triage Desk', enabled: true },
      { kind: 'separator' },
      { kind: 'action', id: 'queue-mine', label: '3 alerts assigned to me', enabled: true },
      { kind: 'action', id: 'queue-approval', label: '1 approval waiting for me', enabled: true },
      { kind: 'action', id: 'queue-all', label: '2 clocks due within 3 days', enabled: true },
      { kind: 'separator' }
    ])
    expect(labels({ ...base, cases: { mine: 1, approval: 2, overdue: 1200, clocksDueSoon: 1 } }).slice(2, 6)).toEqual([
      '1 alert assigned to me',
      '2 approvals waiting for me',
      '1,200 alerts overdue',
      '1 clock due within 3 days'
    ])
    expect(m.tooltip).toContain('3 alerts for me · 1 approval waiting')
  })

  it('leaves the case counts out while the engine is down (they would be stale)', () => {
    const m = trayModel({ ...base, engineProblem: 'disk full', cases: { mine: 3, approval: 0, overdue: 0, clocksDueSoon: 0 } }, time)
    expect(m.items.some((i) => 'id' in i && i.id === 'queue-mine')).toBe(false)
    expect(m.tooltip).not.toContain('for me')
  })

  it('opens the Queue tab of the item clicked', () => {
    for (const tab of ['mine', 'approval', 'overdue', 'all'] as const) {
      const target = navigateTargetSchema.parse({ view: 'queue', tab })
      expect(navigateHash(target)).toBe(`#/queue?tab=${tab}`)
    }
    expect(navigateTargetSchema.safeParse({ view: 'queue', tab: 'everything' }).success).toBe(false)
  })
})

const queueReply = (c: Partial<Record<'mine' | 'approval' | 'overdue' | 'clocks_due_soon', number>>): Reply => ({
  ok: true,
  data: {
    rows: [],
    total: 0,
    counts: { mine: 0, approval: 0, overdue: 0, unassigned: 5, clocks_due_soon: 0, by_state: {}, ...c },
    me: 'ann',
    officers: [],
    dispositions: [],
    four_eyes: []
  }
})

describe('tray case counts (read from the engine)', () => {
  it('reads the counts for this workstation and tells only when they change', async () => {
    const seen: Array<TrayCases | null> = []
    let reply = queueReply({ mine: 2, clocks_due_soon: 1 })
    const counts = new TrayCaseCounts({ fetch: async () => reply, onChange: (c) => seen.push(c) })
    await counts.refresh()
    await counts.refresh()
    reply = queueReply({ mine: 1, approval: 1 })
    await counts.refresh()
    expect(seen).toEqual([
      { mine: 2, approval: 0, overdue: 0, clocksDueSoon: 1 },
      { mine: 1, approval: 1, overdue: 0, clocksDueSoon: 0 }
    ])
  })

  it('asks one request at a time, and once more when asked meanwhile (a bulk close and a run finishing together)', async () => {
    const pending: Array<(r: Reply) => void> = []
    const fetch = vi.fn(() => new Promise<Reply>((resolve) => pending.push(resolve)))
    const seen: Array<TrayCases | null> = []
    const counts = new TrayCaseCounts({ fetch, onChange: (c) => seen.push(c) })
    const first = counts.refresh()
    void counts.refresh()
    void counts.refresh()
    expect(fetch).toHaveBeenCalledTimes(1)
    pending.shift()!(queueReply({ mine: 1 }))
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2)) // the two asked meanwhile: one more read, after it
    pending.shift()!(queueReply({ mine: 0 }))
    await first
    expect(fetch).toHaveBeenCalledTimes(2)
    expect(seen.at(-1)).toEqual(none)
  })

  it('shows nothing when the engine cannot answer, rather than old counts', async () => {
    const seen: Array<TrayCases | null> = []
    let fail = false
    const counts = new TrayCaseCounts({
      fetch: async () => {
        if (fail) throw new Error('engine gone')
        return queueReply({ mine: 4 })
      },
      onChange: (c) => seen.push(c)
    })
    await counts.refresh()
    fail = true
    await counts.refresh()
    expect(seen).toEqual([{ mine: 4, approval: 0, overdue: 0, clocksDueSoon: 0 }, null])
    expect(trayCasesOf({ ok: false, error: { code: 'internal', message: 'the engine is not running' } })).toBeNull()
  })

  it('reads again every minute (overdue and due-soon move with the clock) and on the events that change cases', async () => {
    let tick: (() => void) | null = null
    const fetch = vi.fn(async () => queueReply({}))
    const cleared: unknown[] = []
    const handle = { unref: vi.fn() }
    const counts = new TrayCaseCounts({
      fetch,
      onChange: () => {},
      setInterval: (fn, ms) => (expect(ms).toBe(60_000), (tick = fn), handle),
      clearInterval: (t) => cleared.push(t)
    })
    await counts.start()
    expect(fetch).toHaveBeenCalledTimes(1)
    tick!()
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2))
    counts.stop()
    expect(handle.unref).toHaveBeenCalled() // the timer never keeps the app alive
    expect(cleared).toEqual([handle])
    expect(affectsCaseCounts({ type: 'caseChanged', action: 'close', by: 'ann', ids: [1] })).toBe(true)
    expect(affectsCaseCounts({ type: 'settingsChanged', settings: {} as never })).toBe(true)
    expect(affectsCaseCounts({ type: 'searchIndex', indexed_upto: 1, pending: 0 })).toBe(false)
  })
})

describe("tray menu: silences ending within a day (the author's reminder)", () => {
  it('shows nothing while none of my silences ends within a day, or while it is not known', () => {
    expect(labels({ ...base, silences: { endingSoon: 0, firstEnds: null } })).toEqual(labels(base))
    expect(labels({ ...base, silences: null })).toEqual(labels(base))
  })

  it('says how many end within a day and when the first does, opening the silences', () => {
    const one = trayModel({ ...base, silences: { endingSoon: 1, firstEnds: '2026-11-26T09:30:00.000Z' } }, time)
    expect(one.items.slice(0, 4)).toEqual([
      { kind: 'action', id: 'open', label: 'Open Triage Desk', enabled: true },
      { kind: 'separator' },
      { kind: 'action', id: 'rules-silences', label: '1 silence ends within a day (09:30)', enabled: true },
      { kind: 'separator' }
    ])
    expect(labels({ ...base, silences: { endingSoon: 3, firstEnds: '2026-11-26T08:00:00.000Z' } })[2]).toBe('3 silences end within a day (first 08:00)')
  })

  it('comes after the case work, in the same group', () => {
    expect(
      labels({ ...base, cases: { mine: 2, approval: 0, overdue: 0, clocksDueSoon: 0 }, silences: { endingSoon: 1, firstEnds: null } }).slice(0, 5)
    ).toEqual(['Open Triage Desk', '---', '2 alerts assigned to me', '1 silence ends within a day', '---'])
  })

  it('is left out while the engine is down', () => {
    const m = trayModel({ ...base, engineProblem: 'disk full', silences: { endingSoon: 2, firstEnds: null } }, time)
    expect(m.items.some((i) => 'id' in i && i.id === 'rules-silences')).toBe(false)
  })

  it('opens the Rules screen on its silences', () => {
    const target = navigateTargetSchema.parse({ view: 'rules', tab: 'silences' })
    expect(navigateHash(target)).toBe('#/rules?tab=silences')
    expect(navigateTargetSchema.safeParse({ view: 'rules', tab: 'drafts' }).success).toBe(false)
  })
})

const silence = (id: number, by: string, ending_soon: boolean, until = '2026-11-26T10:00:00.000Z') => ({
  id,
  by,
  by_name: by,
  at: '2026-11-25T09:00:00.000Z',
  matches: [{ field: 'vendor', value: 'acme' }],
  until,
  reason: 'outage',
  include_critical: false,
  approved_by: null,
  approved_at: null,
  expired_by: null,
  expired_at: null,
  expire_reason: null,
  state: 'in force' as const,
  ending_soon,
  alerts_silenced: 0
})
const silencesReply = (me: string, list: ReturnType<typeof silence>[]): Reply => ({ ok: true, data: { silences: list, fields: [], me } })

describe('tray silence reminder (read from the engine)', () => {
  it("counts only this officer's silences that end within a day, and the first end", () => {
    const reply = silencesReply('Ann', [
      silence(4, 'ann', true, '2026-11-26T12:00:00.000Z'),
      silence(5, 'ben', true),
      silence(6, 'ann', false),
      silence(7, 'ANN', true, '2026-11-26T08:00:00.000Z')
    ])
    expect(traySilencesOf(reply)).toEqual({ endingSoon: 2, firstEnds: '2026-11-26T08:00:00.000Z' })
    expect(traySilencesOf(silencesReply('ben', [silence(4, 'ann', true)]))).toEqual({ endingSoon: 0, firstEnds: null })
    expect(traySilencesOf({ ok: false, error: { code: 'internal', message: 'the engine is not running' } })).toBeNull()
  })

  it('reads on the events that change silences and tells only when the reminder changes', async () => {
    const seen: unknown[] = []
    let reply = silencesReply('ann', [silence(4, 'ann', false)])
    const reminder = new TraySilenceReminder({ fetch: async () => reply, onChange: (x) => seen.push(x) })
    await reminder.refresh()
    await reminder.refresh()
    reply = silencesReply('ann', [silence(4, 'ann', true)])
    await reminder.refresh()
    expect(seen).toEqual([
      { endingSoon: 0, firstEnds: null },
      { endingSoon: 1, firstEnds: '2026-11-26T10:00:00.000Z' }
    ])
    expect(affectsSilences({ type: 'governanceChanged', event: 'silence_added', by: 'ann' })).toBe(true)
    expect(affectsSilences({ type: 'settingsChanged', settings: {} as never })).toBe(true)
    expect(affectsSilences({ type: 'caseChanged', action: 'close', by: 'ann', ids: [1] })).toBe(false)
  })

  it('reads again every minute: a silence comes within a day of its end with the clock', async () => {
    let tick: (() => void) | null = null
    const fetch = vi.fn(async () => silencesReply('ann', []))
    const reminder = new TraySilenceReminder({
      fetch,
      onChange: () => {},
      setInterval: (fn, ms) => (expect(ms).toBe(60_000), (tick = fn), { unref: () => {} }),
      clearInterval: () => {}
    })
    await reminder.start()
    tick!()
    await vi.waitFor(() => expect(fetch).toHaveBeenCalledTimes(2))
    reminder.stop()
  })
})
