// The Reports screen's period picker. Periods are UTC days, both ends inclusive: the same periods as
// `triage report --from --to`, so a PDF made here and one made by the CLI for the same days are the same report.
import { useId } from 'react'
import { Input } from '../ui/index.js'

export type PresetId = 'today' | '7d' | '30d' | 'month' | 'last-month'
export interface Period {
  from: string
  to: string
}

const DAY_MS = 86_400_000
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const DAY = /^\d{4}-\d{2}-\d{2}$/

const PRESETS: ReadonlyArray<{ id: PresetId; label: string }> = [
  { id: 'today', label: 'Today' },
  { id: '7d', label: 'Last 7 days' },
  { id: '30d', label: 'Last 30 days' },
  { id: 'month', label: 'This month' },
  { id: 'last-month', label: 'Last month' }
]

/** The days a preset covers, counted in UTC from `now`. */
export function presetPeriod(id: PresetId, now = new Date()): Period {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
  switch (id) {
    case 'today':
      return { from: iso(today), to: iso(today) }
    case '7d':
      return { from: iso(today - 6 * DAY_MS), to: iso(today) }
    case '30d':
      return { from: iso(today - 29 * DAY_MS), to: iso(today) }
    case 'month':
      return { from: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), to: iso(today) }
    case 'last-month':
      return { from: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)), to: iso(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 0)) }
  }
}

export const DEFAULT_PRESET: PresetId = '7d'

/** The preset these days are, if any (a period from the URL lights up its preset). */
function presetOf(p: Period, now = new Date()): PresetId | null {
  return (
    PRESETS.find((x) => {
      const q = presetPeriod(x.id, now)
      return q.from === p.from && q.to === p.to
    })?.id ?? null
  )
}

/** Why the period cannot be reported yet (and which date to fix), or null. */
export function periodProblem(p: Period): { field: 'from' | 'to'; message: string } | null {
  if (!DAY.test(p.from) || Number.isNaN(Date.parse(p.from))) return { field: 'from', message: 'Choose the first day.' }
  if (!DAY.test(p.to) || Number.isNaN(Date.parse(p.to))) return { field: 'to', message: 'Choose the last day.' }
  if (p.to < p.from) return { field: 'to', message: 'The last day is before the first day.' }
  return null
}

export function PeriodPicker({ value, onChange, disabled }: { value: Period; onChange(p: Period): void; disabled?: boolean }) {
  const id = useId()
  const active = presetOf(value)
  const problem = periodProblem(value)
  return (
    <div className="period-picker">
      <div className="chips" role="group" aria-label="Period">
        {PRESETS.map((p) => (
          <button key={p.id} type="button" className="chip" aria-pressed={active === p.id} disabled={disabled} onClick={() => onChange(presetPeriod(p.id))}>
            {p.label}
          </button>
        ))}
        <button
          type="button"
          className="chip"
          aria-pressed={active === null}
          disabled={disabled}
          onClick={() => document.getElementById(`${id}-from`)?.focus()}
        >
          Custom
        </button>
      </div>
      <div className="period-dates">
        <PeriodDates id={id} value={value} onChange={onChange} disabled={disabled} invalid={problem?.field ?? null} />
        <span id={`${id}-note`} className={problem ? 'field-error' : 'field-hint'} role={problem ? 'alert' : undefined}>
          {problem?.message ?? 'UTC days, both included, by the time each alert was triaged'}
        </span>
      </div>
    </div>
  )
}

/**
 * The first and last day of a period (one Tab stop each), described by the note with id `${id}-note` that the
 * caller shows under them. `invalid`: the day to mark.
 */
export function PeriodDates({
  id,
  value,
  onChange,
  disabled,
  invalid
}: {
  id: string
  value: Period
  onChange(p: Period): void
  disabled?: boolean
  invalid: 'from' | 'to' | null
}) {
  return (
    <>
      <label className="field-label" htmlFor={`${id}-from`}>
        From
      </label>
      <Input
        id={`${id}-from`}
        type="date"
        value={value.from}
        max={value.to || undefined}
        disabled={disabled}
        invalid={invalid === 'from'}
        onChange={(e) => onChange({ ...value, from: e.target.value })}
        aria-describedby={`${id}-note`}
      />
      <label className="field-label" htmlFor={`${id}-to`}>
        To
      </label>
      <Input
        id={`${id}-to`}
        type="date"
        value={value.to}
        min={value.from || undefined}
        disabled={disabled}
        invalid={invalid === 'to'}
        onChange={(e) => onChange({ ...value, to: e.target.value })}
        aria-describedby={`${id}-note`}
      />
    </>
  )
}
