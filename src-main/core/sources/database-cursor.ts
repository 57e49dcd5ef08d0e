// The database source's cursor: $1 on the first read, the order of two cursor values, and the cursor as committed
// (JSON) and read back.
import { INTEGER_TYPES, OID, TIME_TYPES } from './database-text.js'

/** $1 on the first read: the lowest value of its type, so `col > $1` selects from the beginning (null: none known). */
export function startValue(paramType: number): string | null {
  switch (paramType) {
    case OID.int2:
      return '-32768'
    case OID.int4:
      return '-2147483648'
    case OID.int8:
      return '-9223372036854775808'
    case OID.oid:
      return '0' // an oid is unsigned; 0 is InvalidOid, never a row's
    case OID.numeric:
      return '-1e1000' // below any value a column holds (-Infinity is PostgreSQL 14+ only)
    case OID.float4:
    case OID.float8:
    case OID.date:
    case OID.timestamp:
    case OID.timestamptz:
      return '-infinity'
    case OID.text:
    case OID.varchar:
    case OID.bpchar:
    case OID.name:
      return ''
    case OID.uuid:
      return '00000000-0000-0000-0000-000000000000'
    default:
      return null
  }
}

/** -1 / 0 / 1 for two cursor values of a type whose order is known here, null for others (text: the collation's). */
export function compareCursor(type: number, a: string, b: string): number | null {
  if (INTEGER_TYPES.has(type)) {
    const x = BigInt(a),
      y = BigInt(b)
    return x < y ? -1 : x > y ? 1 : 0
  }
  if (type === OID.numeric || type === OID.float4 || type === OID.float8) {
    const x = Number(a),
      y = Number(b)
    return Number.isFinite(x) && Number.isFinite(y) ? Math.sign(x - y) : null
  }
  if (TIME_TYPES.has(type) && /^\d{4}-/.test(a) && /^\d{4}-/.test(b) && !/BC$/.test(a) && !/BC$/.test(b)) return a < b ? -1 : a > b ? 1 : 0
  return null
}

/** The last row's cursor value as JSON: a number for integers a double holds exactly, else the server's text. */
export function encodeCursor(type: number, text: string): string {
  if (INTEGER_TYPES.has(type) && /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text))) return JSON.stringify(Number(text))
  return JSON.stringify(text)
}

/** The committed cursor back as $1's text (null: never read). */
export function decodeCursor(cursor: string | null): string | null {
  if (cursor === null) return null
  let v: unknown
  try {
    v = JSON.parse(cursor)
  } catch {
    throw new Error(`the committed cursor ${JSON.stringify(cursor.slice(0, 80))} is not one a database source writes; reset the source's cursor`)
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v)
  if (typeof v === 'string') return v
  throw new Error(`the committed cursor ${JSON.stringify(cursor.slice(0, 80))} is not one a database source writes; reset the source's cursor`)
}
