// What the tray shows, as plain data: the menu items, the tooltip and which icon. tray.ts turns it into an
// Electron Menu. Electron-free so the wording and the states are tested under Node.
import type { ScheduleStatus } from './schedule.js'

export type TrayAction =
  'open' | 'run-now' | 'toggle-pause' | 'toggle-dry-run' | 'quit' | 'queue-mine' | 'queue-approval' | 'queue-overdue' | 'queue-all' | 'rules-silences'

export type TrayItem =
  | { kind: 'action'; id: TrayAction; label: string; enabled: boolean }
  | { kind: 'checkbox'; id: TrayAction; label: string; checked: boolean; enabled: boolean }
  | { kind: 'info'; id: string; label: string }
  | { kind: 'separator' }

/** The last run as the tray tells it: any run, whoever started it (schedule, tray, an import in the window). */
export interface TrayLastRun {
  /** when it ended (ISO) */
  at: string
  status: 'ok' | 'failed' | 'aborted'
  text: string
}

/** The case work of this workstation's officer (the caseQueue counts): shown in the tray when there is some. */
export interface TrayCases {
  /** alerts assigned to me with something still due */
  mine: number
  /** other officers' closes waiting for my approval (four-eyes) */
  approval: number
  /** alerts past their time to acknowledge or to close, or past a regulatory clock */
  overdue: number
  /** alerts whose next regulatory clock is due within 3 days */
  clocksDueSoon: number
}

/** Silences this workstation's officer added that end within a day (listSilences' ending_soon): the author's reminder. */
export interface TraySilences {
  endingSoon: number
  /** when the first of them ends (ISO), or null */
  firstEnds: string | null
}

export interface TrayState {
  schedule: ScheduleStatus
  dryRun: boolean
  lastRun: TrayLastRun | null
  /** the engine could not start (e.g. the database cannot be opened): shown instead of the run items */
  engineProblem: string | null
  /** null or absent: not known (yet); nothing is shown */
  cases?: TrayCases | null
  /** null or absent: not known (yet); nothing is shown */
  silences?: TraySilences | null
}

export interface TrayModel {
  items: TrayItem[]
  tooltip: string
  icon: 'tray' | 'tray-dry-run' | 'tray-paused'
}

export type TimeFormat = (iso: string) => string

/** "every 15 minutes" for the common cron forms, else the expression itself. */
export function describeSchedule(expression: string): string {
  const e = expression.trim().split(/\s+/)
  if (e.length === 5 && e.slice(1).every((f) => f === '*')) {
    const m = /^\*\/(\d+)$/.exec(e[0]!)
    if (m) return m[1] === '1' ? 'every minute' : `every ${m[1]} minutes`
    if (e[0] === '*') return 'every minute'
  }
  if (e.length === 5 && /^\d+$/.test(e[0]!) && e.slice(2).every((f) => f === '*')) {
    const h = /^\*\/(\d+)$/.exec(e[1]!)
    if (e[1] === '*') return 'every hour'
    if (h) return `every ${h[1]} hours`
  }
  return `cron ${expression.trim()}`
}

export function trayModel(s: TrayState, time: TimeFormat): TrayModel {
  const sched = s.schedule
  const running = sched.running
  const items: TrayItem[] = [{ kind: 'action', id: 'open', label: 'Open Triage Desk', enabled: true }, { kind: 'separator' }]
  const work = s.engineProblem ? [] : [...caseItems(s.cases), ...silenceItems(s.silences, time)]
  if (work.length) items.push(...work, { kind: 'separator' })
  if (s.engineProblem) items.push({ kind: 'info', id: 'engine-problem', label: `Engine stopped: ${clip(s.engineProblem, 80)}` })
  items.push(
    { kind: 'action', id: 'run-now', label: running ? 'Triage run in progress…' : 'Run triage now', enabled: !running && !s.engineProblem },
    { kind: 'action', id: 'toggle-pause', label: sched.paused ? 'Resume schedule' : 'Pause schedule', enabled: true },
    { kind: 'checkbox', id: 'toggle-dry-run', label: 'Dry-run (nothing is sent)', checked: s.dryRun, enabled: true },
    { kind: 'separator' },
    { kind: 'info', id: 'last-run', label: lastRunLabel(s.lastRun, time) },
    { kind: 'info', id: 'next-run', label: nextRunLabel(sched, time) },
    { kind: 'separator' },
    { kind: 'action', id: 'quit', label: 'Quit Triage Desk', enabled: true }
  )
  const tooltip = [
    'Triage Desk',
    s.dryRun ? 'DRY-RUN: nothing is sent' : 'LIVE: deliveries are sent',
    running ? 'run in progress' : sched.paused ? 'schedule paused' : nextRunLabel(sched, time),
    ...(s.engineProblem || !s.cases
      ? []
      : [s.cases.mine && `${count(s.cases.mine, 'alert')} for me`, s.cases.approval && `${count(s.cases.approval, 'approval')} waiting`].filter(
          (x): x is string => !!x
        ))
  ].join(' · ')
  return { items, tooltip, icon: sched.paused ? 'tray-paused' : s.dryRun ? 'tray-dry-run' : 'tray' }
}

const count = (n: number, one: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : `${one}s`}`

/** "3 alerts assigned to me", "1 approval waiting for me", "2 alerts overdue", "1 clock due within 3 days": each opens its queue. */
function caseItems(c: TrayCases | null | undefined): TrayItem[] {
  if (!c) return []
  const lines: Array<[number, TrayAction, string]> = [
    [c.mine, 'queue-mine', `${count(c.mine, 'alert')} assigned to me`],
    [c.approval, 'queue-approval', `${count(c.approval, 'approval')} waiting for me`],
    [c.overdue, 'queue-overdue', `${count(c.overdue, 'alert')} overdue`],
    [c.clocksDueSoon, 'queue-all', `${count(c.clocksDueSoon, 'clock')} due within 3 days`]
  ]
  return lines.filter(([n]) => n > 0).map(([, id, label]) => ({ kind: 'action', id, label, enabled: true }))
}

/** "1 silence ends within a day (18:00)": opens the Rules screen's silences, where a new one can be added. */
function silenceItems(x: TraySilences | null | undefined, time: TimeFormat): TrayItem[] {
  if (!x || x.endingSoon <= 0) return []
  const label = `${x.endingSoon.toLocaleString('en-US')} ${x.endingSoon === 1 ? 'silence ends' : 'silences end'} within a day${x.firstEnds ? ` (${x.endingSoon === 1 ? '' : 'first '}${time(x.firstEnds)})` : ''}`
  return [{ kind: 'action', id: 'rules-silences', label, enabled: true }]
}

function lastRunLabel(r: TrayLastRun | null, time: TimeFormat): string {
  if (!r) return 'Last run: none yet'
  const word = r.status === 'ok' ? 'ok' : r.status === 'failed' ? 'FAILED' : 'interrupted'
  return `Last run ${time(r.at)}: ${word} · ${clip(r.text, 70)}`
}

function nextRunLabel(s: ScheduleStatus, time: TimeFormat): string {
  if (s.paused) return `Schedule paused (${describeSchedule(s.expression)})`
  if (s.queued) return 'Next run: right after the current one'
  return s.nextRunAt ? `Next run ${time(s.nextRunAt)} (${describeSchedule(s.expression)})` : `Schedule: ${describeSchedule(s.expression)}`
}

const clip = (t: string, n: number) => {
  const one = t.replace(/\s+/g, ' ').trim()
  return one.length > n ? `${one.slice(0, n - 1)}…` : one
}

/** One line for the tray from a run's counts: "12 triaged · 2 critical · 1 quarantined". */
export function runCountsText(r: { triaged: number; duplicates: number; quarantined: number; critical: number; errors: string[] }): string {
  const parts = [`${r.triaged.toLocaleString('en-US')} triaged`]
  if (r.critical) parts.push(`${r.critical.toLocaleString('en-US')} critical`)
  if (r.duplicates) parts.push(`${r.duplicates.toLocaleString('en-US')} duplicates`)
  if (r.quarantined) parts.push(`${r.quarantined.toLocaleString('en-US')} quarantined`)
  if (r.errors.length) parts.push(r.errors.length === 1 ? r.errors[0]! : `${r.errors.length} errors`)
  return parts.join(' · ')
}
