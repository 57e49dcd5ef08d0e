// Timestamps arrive in many shapes; everything after normalization is UTC ISO 8601.
// A timestamp without an offset is read in the source's configured IANA time zone.

const ISO_LIKE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/

const formatters = new Map<string, Intl.DateTimeFormat>()

function zoneFormatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone)
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit'
    })
    formatters.set(zone, f)
  }
  return f
}

export function isValidTimeZone(zone: string): boolean {
  try {
    zoneFormatter(zone)
    return true
  } catch {
    return false
  }
}

/** Wall-clock parts of an instant in a zone (weekday 0 = Sunday). */
export function zonedParts(epochMs: number, zone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const parts = zoneFormatter(zone).formatToParts(new Date(epochMs))
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value)
  const year = get('year')
  const month = get('month')
  const day = get('day')
  return {
    year,
    month,
    day,
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay()
  }
}

// Offsets change at most a few times a year; cache per zone and hour.
const offsetCache = new Map<string, number>()

function zoneOffsetMs(zone: string, epochMs: number): number {
  const key = `${zone}|${Math.floor(epochMs / 3_600_000)}`
  const hit = offsetCache.get(key)
  if (hit !== undefined) return hit
  const p = zonedParts(epochMs, zone)
  const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  const offset = asUtc - Math.floor(epochMs / 1000) * 1000
  if (offsetCache.size > 10_000) offsetCache.clear()
  offsetCache.set(key, offset)
  return offset
}

export type TimeResult = { ok: true; iso: string; ms: number } | { ok: false; message: string }

/** Parse a timestamp to UTC. Accepts ISO 8601 / RFC 3339 (with or without offset, 'T' or space). */
export function parseTimestamp(input: string, zone = 'UTC'): TimeResult {
  const s = input.trim()
  // Fast path for what most exports hold, already canonical UTC ("2026-11-24T19:23:40.850Z"): exact when it
  // reads back identically (an impossible date like 02-30 would not).
  if (s.length === 24 && s.charCodeAt(23) === 90 /* Z */ && s.charCodeAt(10) === 84 /* T */) {
    const ms = Date.parse(s)
    if (ms === ms && new Date(ms).toISOString() === s) return { ok: true, iso: s, ms }
  }
  const m = ISO_LIKE.exec(s)
  if (!m) return { ok: false, message: `not an ISO 8601 timestamp: ${JSON.stringify(clip(s))}` }
  const [, y, mo, d, h = '00', mi = '00', se = '00', frac = '', off] = m
  const year = Number(y), month = Number(mo), day = Number(d)
  const hour = Number(h), minute = Number(mi), second = Number(se)
  const ms = Number(frac.padEnd(3, '0').slice(0, 3))
  if (month < 1 || month > 12) return { ok: false, message: `month ${month} out of range in ${JSON.stringify(s)}` }
  const dim = new Date(Date.UTC(year, month, 0)).getUTCDate()
  if (day < 1 || day > dim) return { ok: false, message: `day ${day} out of range in ${JSON.stringify(s)}` }
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, message: `time out of range in ${JSON.stringify(s)}` }
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms)
  let epoch: number
  if (off === undefined) {
    if (zone === 'UTC') epoch = wall
    else {
      // Two passes settle the offset around DST changes.
      let guess = wall - zoneOffsetMs(zone, wall)
      guess = wall - zoneOffsetMs(zone, guess)
      epoch = guess
    }
  } else if (off === 'Z' || off === 'z' || off === 'UTC') {
    epoch = wall
  } else {
    const sign = off.startsWith('-') ? -1 : 1
    const digits = off.slice(1).replace(':', '')
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2, 4) || '0')
    if (oh > 14 || om > 59) return { ok: false, message: `offset ${off} out of range in ${JSON.stringify(s)}` }
    epoch = wall - sign * (oh * 60 + om) * 60_000
  }
  if (!Number.isFinite(epoch)) return { ok: false, message: `invalid timestamp ${JSON.stringify(s)}` }
  return { ok: true, iso: new Date(epoch).toISOString(), ms: epoch }
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s)
