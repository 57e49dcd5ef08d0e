// The server's text, typed: the database source reads every value as PostgreSQL's text (DateStyle ISO, TimeZone
// UTC) and gives the normalizer what a CSV row of the same values would give it; the row's CSV line is the record's
// raw text.
import type { TransactionField } from '../ingest/csv.js'

export const OID = {
  int2: 21,
  int4: 23,
  int8: 20,
  oid: 26,
  numeric: 1700,
  float4: 700,
  float8: 701,
  text: 25,
  varchar: 1043,
  bpchar: 1042,
  name: 19,
  uuid: 2950,
  date: 1082,
  timestamp: 1114,
  timestamptz: 1184
} as const

export const INTEGER_TYPES: ReadonlySet<number> = new Set([OID.int2, OID.int4, OID.int8, OID.oid])
const NUMBER_TYPES: ReadonlySet<number> = new Set([...INTEGER_TYPES, OID.numeric, OID.float4, OID.float8])
/** ISO dates and timestamps (DateStyle ISO, TimeZone UTC) sort as text in time order (years 1000-9999). */
export const TIME_TYPES: ReadonlySet<number> = new Set([OID.date, OID.timestamp, OID.timestamptz])

/** "2026-03-01 09:30:00.123456+00" → "2026-03-01T09:30:00.123456+00:00" (timestamps, for the normalizer). */
function isoTimestamp(type: number, v: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2})?(:\d{2})?(:\d{2})?$/.exec(v)
  if (!m || m[5]) return v // BC, years past 9999, an offset in seconds: the normalizer says what is wrong
  const [, date, time, oh, om] = m
  if (type === OID.timestamptz && oh) return `${date}T${time}${oh}${om ?? ':00'}`
  return type === OID.timestamp ? `${date}T${time}` : v
}

/**
 * What the normalizer is given for a canonical field. amount and risk_score of a numeric column are given as the
 * number the server wrote: its text always has a decimal point, and sources.csv.decimal (a setting for CSV
 * exports) set to "," would read "1.500" as 1500. A number in text (varchar) is read under the CSV rules.
 */
export function fieldValue(field: TransactionField, type: number, v: string | null): unknown {
  if (v === null) return null
  if ((field === 'amount' || field === 'risk_score') && NUMBER_TYPES.has(type)) {
    const n = Number(v)
    return Number.isFinite(n) ? n : v // NaN / Infinity stay text: the normalizer names them
  }
  if (TIME_TYPES.has(type)) return isoTimestamp(type, v)
  return v
}

/** A CSV line as PostgreSQL's COPY … CSV writes it: NULL is nothing, an empty string is "". */
export function csvLine(values: Array<string | null>): string {
  return values.map((v) => (v === null ? '' : v === '' || /[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v)).join(',')
}
