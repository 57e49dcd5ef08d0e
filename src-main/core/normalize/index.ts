// Stage 2: normalize. Raw record in, a typed alert or a quarantine record out; never throws for bad data.
import type { Alert, Quarantine, RawRecord } from '../model.js'
import { emailSchema, transactionSchema, type NumberFormat } from './schemas.js'

export type Normalized = { ok: true; alert: Alert } | { ok: false; quarantine: Quarantine }

export interface NormalizeOptions {
  /** IANA zone for timestamps without an offset, per source kind. */
  timezone: { transaction: string; email: string }
  /** How CSV numbers are written (default: decimal point, stated). */
  numbers?: NumberFormat
}

/**
 * Normalizes one record. The record is first made storable in place (its raw, fields and extras: the pipeline
 * stores `rec.raw` as it is after this call), so every string of the alert and of its audit entry is text that
 * SQLite stores and returns unchanged; what had to change is said in the alert's notes.
 */
export function createNormalizer(opts: NormalizeOptions): (rec: RawRecord) => Normalized {
  const tx = transactionSchema(opts.timezone.transaction, opts.numbers)
  const email = emailSchema(opts.timezone.email)
  return (rec) => {
    const storableNotes = makeStorable(rec)
    if (rec.readError) return reject(rec, rec.readError.field, rec.readError.message)
    const parsed = rec.kind === 'transaction' ? tx.safeParse(rec.fields) : email.safeParse(rec.fields)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const field = issue?.path.length ? String(issue.path[0]) : null
      const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem${parsed.error.issues.length > 2 ? 's' : ''})` : ''
      return reject(rec, field, `${issue?.message ?? 'invalid record'}${more}`)
    }
    const alert: Alert =
      rec.kind === 'transaction'
        ? { kind: 'transaction', ...(parsed.data as Omit<Extract<Alert, { kind: 'transaction' }>, 'kind' | 'extra' | 'notes'>), extra: rec.extra ?? {} }
        : { kind: 'email', ...(parsed.data as Omit<Extract<Alert, { kind: 'email' }>, 'kind' | 'notes'>) }
    const notes = [...(rec.notes ?? []).map((n) => storable(n).text), ...storableNotes]
    if (notes.length) alert.notes = notes
    return { ok: true, alert }
  }
}

function reject(rec: RawRecord, field: string | null, message: string): Normalized {
  const where = rec.origin.locator === 'file' ? '' : ` ${rec.kind === 'transaction' ? 'line' : 'message'} ${rec.origin.locator}`
  const reason = storable(`${rec.origin.file}${where}${field ? `, field ${field}` : ''}: ${message}`).text
  return { ok: false, quarantine: { origin: rec.origin, kind: rec.kind, field, raw: rec.raw, reason } }
}

// --- Storable text -------------------------------------------------------------------------------------------
// JavaScript strings may hold unpaired UTF-16 surrogates (a valid JSON escape, "\ud800", makes one); SQLite stores
// text as UTF-8, where they cannot be written: better-sqlite3 writes replacement bytes, the text reads back
// different from what was hashed, and the audit chain would look tampered with forever. Such code units are
// replaced by U+FFFD here, before anything is hashed or stored, and the alert says so. (NUL characters, BOMs and
// every other code point round-trip through SQLite TEXT unchanged: checked by test/engine/storable-text.test.ts.)

type WellFormed = { isWellFormed(): boolean; toWellFormed(): string }
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g

/** `s` as text SQLite stores unchanged, and how many code units had to be replaced. */
export function storable(s: string): { text: string; replaced: number } {
  if ((s as unknown as WellFormed).isWellFormed()) return { text: s, replaced: 0 }
  return { text: (s as unknown as WellFormed).toWellFormed(), replaced: s.match(LONE_SURROGATE)?.length ?? 0 }
}

const said = (what: string, n: number) => `${what}: ${n} unpaired UTF-16 surrogate${n === 1 ? '' : 's'} replaced by U+FFFD so it can be stored`

/** Makes the record's raw, field values, extra names and values storable, in place; the notes saying what changed. */
function makeStorable(rec: RawRecord): string[] {
  const notes: string[] = []
  let fields: Record<string, unknown> | null = null
  for (const [k, v] of Object.entries(rec.fields)) {
    if (typeof v !== 'string') continue
    const s = storable(v)
    if (!s.replaced) continue
    fields ??= { ...rec.fields }
    fields[k] = s.text
    notes.push(said(k, s.replaced))
  }
  if (fields) rec.fields = fields
  if (rec.extra) {
    let changed = false
    const extra: Record<string, string> = {}
    for (const [k, v] of Object.entries(rec.extra)) {
      const key = storable(k)
      const value = storable(v)
      let name = key.text
      if (key.replaced) {
        // Two names that differ only in their unpaired surrogates must not become one column.
        for (let i = 2; Object.hasOwn(extra, name) || (name !== k && Object.hasOwn(rec.extra, name)); i++) name = `${key.text} (${i})`
        notes.push(`${said(`column name ${JSON.stringify(name)}`, key.replaced)}`)
      }
      if (value.replaced) notes.push(said(`column ${JSON.stringify(name)}`, value.replaced))
      if (key.replaced || value.replaced) changed = true
      // A column named __proto__ is data like any other: define it, do not set the prototype.
      Object.defineProperty(extra, name, { value: value.text, enumerable: true, writable: true, configurable: true })
    }
    if (changed) rec.extra = extra
  }
  const raw = storable(rec.raw)
  if (raw.replaced) {
    rec.raw = raw.text
    notes.push(`${said('raw', raw.replaced)}${rec.rawFacts ? " (the source record's size and SHA-256 are kept)" : ''}`)
  }
  return notes
}
