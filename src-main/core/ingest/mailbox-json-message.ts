// One message of the mailbox export: an element's bytes, read strictly, to a record with the export's fields (a
// number given for a text field kept as written), or to the reason it cannot be read.
import type { RawFacts, RawRecord } from '../model.js'
import { decodeText, lossyText } from './bytes.js'
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COMMA, isWs, OPEN_ARR, OPEN_OBJ, QUOTE, textOf, type Piece } from './mailbox-json-bytes.js'

const EXPORT_FIELDS = ['message_id', 'vendor', 'subject', 'body', 'severity_hint', 'created_at'] as const
const WANTED: ReadonlySet<string> = new Set(EXPORT_FIELDS)

/** A message nested deeper than this (objects/arrays inside each other, the message itself being level 1) is not parsed. */
export const MAX_JSON_DEPTH = 64

/** One element's bytes → a record: its fields, or the reason it cannot be read. */
export function elementRecord(
  piece: Piece,
  n: number,
  eof: boolean,
  tooDeep: boolean,
  note: string | null,
  file: string,
  encoding: string,
  cap: number
): RawRecord {
  const origin = { file, locator: String(n) }
  const t = piece.take()
  const fail = (message: string, raw: string, keepBytes: boolean): RawRecord => ({
    kind: 'email',
    origin,
    raw,
    fields: {},
    readError: { field: null, message },
    rawFacts: { size: t.size, sha256: t.sha256, truncated: t.truncated, ...(keepBytes ? { bytes: t.bytes } : {}) },
    ...(note ? { notes: [note] } : {})
  })
  if (t.truncated) {
    const text = textOf(t.bytes, encoding, true)
    const where = eof ? ` and the file ends inside message ${n}` : ''
    return fail(
      `message of ${t.size} bytes (starting at byte ${piece.offset}) is over the ${cap}-byte limit (sources.email.max_message_bytes)${where}; its first ${t.bytes.length} bytes, size and SHA-256 are kept`,
      text.text,
      !text.valid
    )
  }
  const d = decodeText(t.bytes, encoding)
  if (eof) {
    const text = d.ok ? d.text : lossyText(t.bytes)
    return fail(`the file ends inside message ${n} (it starts at byte ${piece.offset}, ${t.size} bytes read): the file is cut short`, text, !d.ok)
  }
  if (!d.ok) {
    return fail(
      `${d.message} at byte ${piece.offset + d.offset} of the file; the file is not ${encoding} there: set sources.email.encoding if the export uses another encoding`,
      lossyText(t.bytes),
      true
    )
  }
  const text = d.text
  if (tooDeep) return fail(`nested deeper than ${MAX_JSON_DEPTH} levels of JSON objects/arrays; not read`, text, false)
  let item: unknown
  try {
    item = JSON.parse(text)
  } catch (e) {
    return fail(`not valid JSON (${(e as Error).message}; the message starts at byte ${piece.offset} of the file)`, text, false)
  }
  const facts: RawFacts = { size: t.size, sha256: t.sha256, truncated: false }
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { ...fail('expected an object with message_id, subject, created_at', text, false), rawFacts: facts }
  }
  const obj = item as Record<string, unknown>
  const fields: Record<string, unknown> = {}
  let numbers = false
  for (const f of EXPORT_FIELDS) {
    const v = Object.hasOwn(obj, f) ? obj[f] : undefined
    fields[f] = v
    if (typeof v === 'number') numbers = true
  }
  if (numbers) {
    // A number given for a text field is taken as written: 12345678901234567890 must not become 12345678901234567000.
    const literal = numberLiterals(text)
    for (const f of EXPORT_FIELDS) if (typeof fields[f] === 'number' && literal.has(f)) fields[f] = literal.get(f)
  }
  return { kind: 'email', origin, raw: text, fields, rawFacts: facts, ...(note ? { notes: [note] } : {}) }
}

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y

/**
 * The source text of the number literals that are direct values of the top-level object's wanted keys (the last
 * one wins, as in JSON.parse). `text` is valid JSON whose top level is an object.
 */
export function numberLiterals(text: string): Map<string, string> {
  const out = new Map<string, string>()
  let depth = 0
  let key: string | null = null
  let expect: 'key' | 'colon' | 'value' | 'other' = 'other'
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === QUOTE) {
      const begin = i
      i++
      while (i < text.length) {
        const d = text.charCodeAt(i)
        if (d === BACKSLASH) i += 2
        else if (d === QUOTE) break
        else i++
      }
      if (depth === 1) {
        if (expect === 'key') {
          key = JSON.parse(text.slice(begin, i + 1)) as string
          expect = 'colon'
        } else expect = 'other'
      }
      continue
    }
    if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (depth === 1) expect = 'other'
      depth++
      if (depth === 1) expect = c === OPEN_OBJ ? 'key' : 'other'
      continue
    }
    if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      depth--
      continue
    }
    if (depth !== 1 || isWs(c)) continue
    if (c === COMMA) expect = 'key'
    else if (c === 0x3a) expect = expect === 'colon' ? 'value' : 'other'
    else if (expect === 'value' && (c === 0x2d || (c >= 0x30 && c <= 0x39))) {
      NUMBER.lastIndex = i
      const m = NUMBER.exec(text)
      if (m) {
        if (key !== null && WANTED.has(key)) out.set(key, m[0])
        i += m[0].length - 1
      }
      expect = 'other'
    } else expect = 'other'
  }
  return out
}
