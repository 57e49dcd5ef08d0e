// How figures read in the report: thousands grouped, durations in the units an officer thinks in.

export const num = (n: number): string => n.toLocaleString('en-US')

export const pct = (part: number, whole: number): string => (whole ? `${((part / whole) * 100).toFixed(1)}%` : '-')

/** 42 s · 12 min 5 s · 16 h 31 min · 3 d 4 h (rounded down to the unit shown). */
export function duration(seconds: number | null): string {
  if (seconds === null) return '-'
  const s = Math.floor(seconds)
  if (s < 60) return `${s} s`
  if (s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`
  const m = Math.floor(s / 60)
  if (s < 86_400) return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m / 60} h`
  const h = Math.floor(s / 3600)
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`
}

/** "2026-11-24T19:23:40.850Z" → "2026-11-24 19:23:40" (the report says once that times are UTC). */
export const utc = (iso: string | null): string => (iso ? iso.replace('T', ' ').replace(/(\.\d+)?Z$/, '') : '-')
