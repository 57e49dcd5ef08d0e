// Formatting numbers, dates, times and durations the one way the whole UI shows them.

const nf = new Intl.NumberFormat('en-GB')
export const fmtNum = (n: number) => nf.format(n)

// One date format for the whole UI: the officer's locale (the system's), in the officer's time zone, the zone
// always stated ("7 Dec 2026, 14:05 UTC", "Dec 7, 2026, 9:05 AM EST"). The exact UTC instant is in the records.
const dtf = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
const dtfSeconds = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short'
})
const shortDtf = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
const dayDtf = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' })
const valid = (iso: string | null | undefined): iso is string => !!iso && Number.isFinite(Date.parse(iso))

/** Date and time with the zone; `{ seconds: true }` where the second matters (an audit entry's time). */
export const fmtTime = (iso: string | null | undefined, opts: { seconds?: boolean } = {}) =>
  valid(iso) ? (opts.seconds ? dtfSeconds : dtf).format(new Date(iso)) : '—'
/** The compact form for dense tables: day, month, time and zone ("7 Dec, 14:05 UTC"). */
export const fmtShort = (iso: string | null | undefined) => (valid(iso) ? shortDtf.format(new Date(iso)) : '—')
/** A calendar day ("7 Dec 2026"); a bare 'YYYY-MM-DD' is that day, not midnight UTC shifted into another zone. */
export const fmtDate = (iso: string | null | undefined) =>
  valid(iso) ? dayDtf.format(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso)) : '—'
/** A duration in the largest units that matter ("850 ms", "4.2 s", "3 min 5 s", "2 h 10 min", "3 days"). */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return Math.round(s % 60) ? `${m} min ${Math.round(s % 60)} s` : `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return `${Math.round(h / 24)} days`
}

export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never'
  const ms = now - Date.parse(iso)
  if (ms < 0) return `in ${fmtDuration(-ms)}`
  if (ms < 60_000) return 'just now'
  return `${fmtDuration(ms).replace(/ \d+ s$/, '')} ago`
}
