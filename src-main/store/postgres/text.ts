// PostgreSQL text cannot hold U+0000, which SQLite TEXT keeps and untrusted input may carry (a NUL in a CSV field or
// an e-mail body reaches the trail as text: normalize keeps it, and the chain hashed it). So text written to the trail
// is escaped reversibly and unescaped when read: U+0000 → U+FFFF '0', U+FFFF → U+FFFF U+FFFF. Text holding neither
// (nearly all of it) is stored unchanged, so the columns read the same as SQLite's. Anything that reads these
// tables reads through `fromPg` (verify, quarantine records; the read side written later must do the same).
const ESC = '\uffff'

export function toPg(s: string): string
export function toPg(s: string | null): string | null
export function toPg(s: string | null): string | null {
  if (s === null || (!s.includes('\u0000') && !s.includes(ESC))) return s
  return s.replace(/\uffff/g, ESC + ESC).replace(/\u0000/g, ESC + '0')
}

export function fromPg(s: string): string
export function fromPg(s: string | null): string | null
export function fromPg(s: string | null): string | null {
  if (s === null || !s.includes(ESC)) return s
  return s.replace(/\uffff(\uffff|0)/g, (_, c: string) => (c === '0' ? '\u0000' : ESC))
}

/** A row as read, with every text column unescaped. */
export function rowFromPg<T extends object>(row: T): T {
  const r = row as Record<string, unknown>
  for (const k of Object.keys(r)) {
    const v = r[k]
    if (typeof v === 'string' && v.includes(ESC)) r[k] = fromPg(v)
  }
  return row
}
