// Timestamps arrive in many shapes; everything after normalization is UTC ISO 8601.
// A timestamp without an offset is read in the source's configured IANA time zone.

const ISO_LIKE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$/

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
      second: '2-digit',
      era: 'short'
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
export function zonedParts(
  epochMs: number,
  zone: string
): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const parts = zoneFormatter(zone).formatToParts(new Date(epochMs))
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value)
  // Intl counts years before 1 CE as 1 BC, 2 BC, ...; the proleptic Gregorian year 0 is 1 BC.
  const bc = /^B/i.test(parts.find((p) => p.type === 'era')?.value ?? '')
  const year = bc ? 1 - get('year') : get('year')
  const month = get('month')
  const day = get('day')
  return {
    year,
    month,
    day,
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
    weekday: new Date(utcMs(year, month - 1, day)).getUTCDay()
  }
}

/**
 * Date.UTC for any year: Date.UTC itself reads years 0-99 as 1900-1999, so 0042-01-01 would be stored as 1942.
 * `month` is 0-based, like Date.UTC's.
 */
export function utcMs(year: number, month: number, day = 1, hour = 0, minute = 0, second = 0, ms = 0): number {
  if (year >= 100 || year < 0) return Date.UTC(year, month, day, hour, minute, second, ms)
  const d = new Date(0)
  d.setUTCFullYear(year, month, day)
  d.setUTCHours(hour, minute, second, ms)
  return d.getTime()
}

/** Days in a month (1-based) of a proleptic Gregorian year. */
function daysInMonth(year: number, month: number): number {
  return month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!
}

// Offsets change at most a few times a year; cache per zone and hour.
const offsetCache = new Map<string, number>()

function zoneOffsetMs(zone: string, epochMs: number): number {
  const key = `${zone}|${Math.floor(epochMs / 3_600_000)}`
  const hit = offsetCache.get(key)
  if (hit !== undefined) return hit
  const p = zonedParts(epochMs, zone)
  const asUtc = utcMs(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
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
  const year = Number(y),
    month = Number(mo),
    day = Number(d)
  const hour = Number(h),
    minute = Number(mi),
    second = Number(se)
  const ms = Number(frac.padEnd(3, '0').slice(0, 3))
  if (month < 1 || month > 12) return { ok: false, message: `month ${month} out of range in ${JSON.stringify(s)}` }
  const dim = daysInMonth(year, month)
  if (day < 1 || day > dim) return { ok: false, message: `day ${day} out of range in ${JSON.stringify(s)}` }
  if (hour > 23 || minute > 59 || second > 59) return { ok: false, message: `time out of range in ${JSON.stringify(s)}` }
  const wall = utcMs(year, month - 1, day, hour, minute, second, ms)
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
    const oh = Number(digits.slice(0, 2)),
      om = Number(digits.slice(2, 4) || '0')
    if (oh > 14 || om > 59) return { ok: false, message: `offset ${off} out of range in ${JSON.stringify(s)}` }
    epoch = wall - sign * (oh * 60 + om) * 60_000
  }
  if (!Number.isFinite(epoch)) return { ok: false, message: `invalid timestamp ${JSON.stringify(s)}` }
  return { ok: true, iso: new Date(epoch).toISOString(), ms: epoch }
}

const clip = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s)

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']
/** RFC 5322 section 4.3 obsolete zones; military letters other than Z carry no information, read as -0000 (UTC). */
const NAMED_ZONES: Record<string, number> = { ut: 0, utc: 0, gmt: 0, z: 0, est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7 }
const RFC5322 =
  /^(?:(mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*,?\s*)?(\d{1,2})\s*[\s-]\s*([a-z]{3})[a-z]*\s*[\s-]\s*(\d{2,4})\s+(\d{1,2})\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?\s*(?:([+-])(\d{2})(\d{2})|([a-z]{1,3}))$/i

/** Comments (possibly nested) are folding white space in an RFC 5322 date: "+0000 (UTC)". */
function stripComments(s: string): string {
  let out = ''
  let depth = 0
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!
    if (depth > 0) {
      if (c === '\\') i++
      else if (c === '(') depth++
      else if (c === ')') depth--
    } else if (c === '(') {
      depth = 1
      out += ' '
    } else out += c
  }
  return out.replace(/\s+/g, ' ').trim()
}

/**
 * An RFC 5322 date-time ("Tue, 24 Nov 2026 10:00:00 +0100"), including its obsolete forms (two- and three-digit
 * years, named and military zones, comments). Never substitutes anything for a value it cannot read: no zone, an
 * impossible day or time, or any other text is an error.
 */
export function parseRfc5322Date(input: string): TimeResult {
  const s = stripComments(input)
  const m = RFC5322.exec(s)
  if (!m) return { ok: false, message: `not an RFC 5322 date: ${JSON.stringify(clip(input.trim()))}` }
  const [, , d, mon, y, h, mi, se = '00', sign, oh, om, named] = m
  const month = MONTHS.indexOf(mon!.toLowerCase()) + 1
  if (month === 0) return { ok: false, message: `unknown month ${JSON.stringify(mon)} in ${JSON.stringify(clip(input.trim()))}` }
  // RFC 5322 4.3: a two-digit year below 50 is 20xx, otherwise 19xx; a three-digit year is 1900 + it.
  let year = Number(y)
  if (y!.length === 2) year += year < 50 ? 2000 : 1900
  else if (y!.length === 3) year += 1900
  const day = Number(d),
    hour = Number(h),
    minute = Number(mi)
  let second = Number(se)
  if (day < 1 || day > daysInMonth(year, month)) return { ok: false, message: `day ${day} out of range in ${JSON.stringify(clip(input.trim()))}` }
  if (hour > 23 || minute > 59 || second > 60) return { ok: false, message: `time out of range in ${JSON.stringify(clip(input.trim()))}` }
  if (second === 60) second = 59 // a leap second: the instant it ends is not representable
  let offsetMin: number
  if (sign) {
    if (Number(om) > 59) return { ok: false, message: `zone ${sign}${oh}${om} out of range in ${JSON.stringify(clip(input.trim()))}` }
    offsetMin = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om))
  } else {
    const z = named!.toLowerCase()
    if (z in NAMED_ZONES) offsetMin = NAMED_ZONES[z]! * 60
    else if (/^[a-ik-y]$/.test(z)) offsetMin = 0
    else return { ok: false, message: `unknown time zone ${JSON.stringify(named)} in ${JSON.stringify(clip(input.trim()))}` }
  }
  const epoch = utcMs(year, month - 1, day, hour, minute, second) - offsetMin * 60_000
  if (!Number.isFinite(epoch)) return { ok: false, message: `invalid date ${JSON.stringify(clip(input.trim()))}` }
  return { ok: true, iso: new Date(epoch).toISOString(), ms: epoch }
}
