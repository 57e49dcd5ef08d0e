// The reporting period. Dates are UTC days, both ends inclusive ("--from 2026-11-01 --to 2026-11-30" is all
// of November); full ISO 8601 timestamps are taken as given (from inclusive, to exclusive).
import type { Period } from '../ports/reports.js'
import { UserFacingError } from '../errors.js'

/** A mistake in what was asked for (bad date, output folder not empty): the CLI prints it as one line. */
export class ReportError extends UserFacingError {}

const DAY = /^\d{4}-\d{2}-\d{2}$/
const DAY_MS = 86_400_000

function parseBound(value: string, name: string, end: boolean): number {
  const v = value.trim()
  if (DAY.test(v)) {
    const ms = Date.parse(`${v}T00:00:00.000Z`)
    if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== v) throw new ReportError(`--${name} ${value}: not a calendar date`)
    return end ? ms + DAY_MS : ms
  }
  // A timestamp must say its offset: a bare local time would mean different periods on different machines.
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(v))
    throw new ReportError(`--${name} ${JSON.stringify(value)}: expected a date (YYYY-MM-DD, UTC) or an ISO 8601 timestamp with Z or an offset`)
  const ms = Date.parse(v)
  if (Number.isNaN(ms)) throw new ReportError(`--${name} ${value}: not a valid timestamp`)
  return ms
}

export function parsePeriod(from: string, to: string): Period {
  const a = parseBound(from, 'from', false)
  const b = parseBound(to, 'to', true)
  if (b <= a) throw new ReportError(`the period is empty: --to ${to} is not after --from ${from}`)
  return { from: new Date(a).toISOString(), to: new Date(b).toISOString() }
}

/** "2026-11-01 00:00 UTC to 2026-12-01 00:00 UTC" (to exclusive) shown as the days an officer asked for. */
export function periodLabel(p: Period): string {
  const wholeDays = p.from.endsWith('T00:00:00.000Z') && p.to.endsWith('T00:00:00.000Z')
  if (wholeDays) {
    const last = new Date(Date.parse(p.to) - DAY_MS).toISOString().slice(0, 10)
    const first = p.from.slice(0, 10)
    return first === last ? `${first} (UTC)` : `${first} to ${last} (UTC days, inclusive)`
  }
  return `${p.from} to ${p.to} (UTC, end exclusive)`
}

/** Every UTC day from the first to the last (inclusive), as YYYY-MM-DD. */
export function daysBetween(first: string, last: string): string[] {
  const out: string[] = []
  for (let ms = Date.parse(`${first}T00:00:00Z`), end = Date.parse(`${last}T00:00:00Z`); ms <= end; ms += DAY_MS)
    out.push(new Date(ms).toISOString().slice(0, 10))
  return out
}

/** The days of the period (to is exclusive). */
export function periodDays(p: Period): { first: string; last: string; count: number } {
  const first = p.from.slice(0, 10)
  const last = new Date(Date.parse(p.to) - 1).toISOString().slice(0, 10)
  return { first, last, count: Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / DAY_MS) + 1 }
}
