// The tray tells the officer at a glance: dry-run or live, paused or scheduled, what the last run did.
import { describe, expect, it } from 'vitest'
import { describeSchedule, runCountsText, trayModel, type TrayState } from '../../src-main/app/tray-menu.js'

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
      'Open Triage Desk', '---',
      'Run triage now', 'Pause schedule', 'Dry-run (nothing is sent)', '---',
      'Last run: none yet', 'Next run 10:15 (every 15 minutes)', '---',
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
    expect(labels({ ...base, lastRun: { at: '2026-11-25T10:00:03.000Z', status: 'ok', text: '12 triaged · 2 critical' } })).toContain('Last run 10:00: ok · 12 triaged · 2 critical')
    expect(labels({ ...base, lastRun: { at: '2026-11-25T10:00:03.000Z', status: 'failed', text: 'inbox folder /x does not exist' } })).toContain('Last run 10:00: FAILED · inbox folder /x does not exist')
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
    expect(runCountsText({ triaged: 0, duplicates: 0, quarantined: 1, critical: 0, errors: ['a.csv: bad header'] })).toBe('0 triaged · 1 quarantined · a.csv: bad header')
  })
})
