// Mailbox export: a JSON array of {message_id, vendor, subject, body, severity_hint, created_at}, streamed.
//
// A byte-level scanner finds each top-level element of the array (it tracks strings with their escapes and the
// nesting depth with a counter, no recursion), so a 600 MB export is never held in memory: only one element at a
// time, and at most `maxMessageBytes` of it. Each element is then decoded strictly and parsed on its own, so one
// bad message (over the cap, invalid UTF-8, nested too deep, a syntax error, not an object) is one quarantine
// record and the messages beside it are read as usual.
import { createHash } from 'node:crypto'
import iconv from 'iconv-lite'
import type { RawFacts, RawRecord } from '../model.js'
import { decodeText, DEFAULT_MAX_MESSAGE_BYTES, detectBom, isAsciiCompatible, lossyText, RAW_KEEP_BYTES, RecordDigest, type FileTap } from './bytes.js'
import type { EmailOptions } from './email.js'

const EXPORT_FIELDS = ['message_id', 'vendor', 'subject', 'body', 'severity_hint', 'created_at'] as const
const WANTED: ReadonlySet<string> = new Set(EXPORT_FIELDS)

/** A message nested deeper than this (objects/arrays inside each other, the message itself being level 1) is not parsed. */
const MAX_JSON_DEPTH = 64

const QUOTE = 0x22
const BACKSLASH = 0x5c
const OPEN_OBJ = 0x7b
const CLOSE_OBJ = 0x7d
const OPEN_ARR = 0x5b
const CLOSE_ARR = 0x5d
const COMMA = 0x2c
const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09

/** Bytes of one piece of the file (an element, trailing content), capped: over the cap only the first bytes and a hash are kept. */
class Piece {
  private parts: Buffer[] = []
  private kept = 0
  size = 0
  private digest: RecordDigest | null = null
  constructor(
    readonly offset: number,
    private readonly cap: number
  ) {}

  get oversize(): boolean {
    return this.digest !== null
  }

  append(buf: Buffer, from: number, to: number): void {
    if (to <= from) return
    const piece = buf.subarray(from, to)
    this.size += piece.length
    if (this.digest) {
      this.digest.update(piece)
      if (this.kept < RAW_KEEP_BYTES) this.keep(piece)
      return
    }
    if (this.size > this.cap) {
      // Over the cap: hash everything, keep only the first RAW_KEEP_BYTES, hold nothing more.
      this.digest = new RecordDigest()
      for (const p of this.parts) this.digest.update(p)
      this.digest.update(piece)
      const old = this.parts
      this.parts = []
      this.kept = 0
      for (const p of [...old, piece]) if (this.kept < RAW_KEEP_BYTES) this.keep(p)
      return
    }
    // A copy: a subarray would pin the whole 64 KB chunk for a small message.
    this.parts.push(Buffer.from(piece))
    this.kept += piece.length
  }

  private keep(p: Buffer): void {
    const take = p.subarray(0, RAW_KEEP_BYTES - this.kept)
    this.parts.push(Buffer.from(take))
    this.kept += take.length
  }

  /** The bytes held (all of them, or the first RAW_KEEP_BYTES when over the cap) and the hash of all. */
  take(): { bytes: Buffer; size: number; sha256: string; truncated: boolean } {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept)
    const sha256 = this.digest ? this.digest.digest() : createHash('sha256').update(bytes).digest('hex')
    return { bytes, size: this.size, sha256, truncated: this.size > bytes.length }
  }
}

/** Text of bytes that may end inside a multi-byte character (a cut): strict, else lossy with the bytes kept. */
function textOf(bytes: Buffer, encoding: string, cut: boolean): { text: string; valid: boolean } {
  const d = decodeText(bytes, encoding)
  if (d.ok) return { text: d.text, valid: true }
  if (cut && d.offset >= bytes.length - 3) {
    const again = decodeText(bytes.subarray(0, d.offset), encoding)
    if (again.ok) return { text: again.text, valid: true }
  }
  return { text: lossyText(bytes), valid: false }
}

interface Source {
  chunks: AsyncIterable<Buffer>
  encoding: string
  /** The file's own encoding (differs from `encoding` for a transcoded UTF-16 file). */
  fileEncoding: string
  bomLength: number
  /** The whole file as read (original bytes): its first RAW_KEEP_BYTES, size and SHA-256, once the chunks are drained. */
  file: () => { head: Buffer; size: number; sha256: string }
}

/**
 * The file's bytes in an ASCII-compatible encoding (UTF-16 files, by BOM or setting, are transcoded to UTF-8 as
 * they stream), without the BOM; and facts of the whole file for a record that stands for the file.
 */
async function source(tap: FileTap, declared: string): Promise<Source> {
  const digest = new RecordDigest()
  const head: Buffer[] = []
  let headLen = 0
  const raw = async function* () {
    for await (const c of tap.chunks()) {
      digest.update(c)
      if (headLen < RAW_KEEP_BYTES) {
        const h = Buffer.from(c.subarray(0, RAW_KEEP_BYTES - headLen))
        head.push(h)
        headLen += h.length
      }
      yield c
    }
  }
  const it = raw()
  const first = await it.next()
  const chunk0 = first.done ? Buffer.alloc(0) : first.value
  const bom = detectBom(chunk0)
  const encoding = bom?.encoding ?? declared
  const bomLength = bom?.length ?? 0
  const rest = async function* () {
    if (chunk0.length > bomLength) yield chunk0.subarray(bomLength)
    yield* it
  }
  let sha: string | null = null
  const file = () => {
    sha ??= digest.digest()
    return { head: Buffer.concat(head, headLen), size: digest.size, sha256: sha }
  }
  if (isAsciiCompatible(encoding)) return { chunks: rest(), encoding, fileEncoding: encoding, bomLength, file }
  const decoder = iconv.getDecoder(encoding, { stripBOM: false })
  const utf8 = async function* () {
    for await (const c of rest()) {
      const s = decoder.write(c)
      if (s) yield Buffer.from(s, 'utf8')
    }
    const tail = decoder.end()
    if (tail) yield Buffer.from(tail, 'utf8')
  }
  return { chunks: utf8(), encoding: 'utf-8', fileEncoding: encoding, bomLength, file }
}

type Phase = 'start' | 'between' | 'element' | 'after' | 'done' | 'trailing' | 'not-array'

/**
 * Yields one RawRecord per element of the array (locator: its 1-based index), and one record for the file
 * (locator 'file') when the file is not an array, is empty, is not closed, or has content after the array.
 * Problems come out as records with readError set, never as exceptions.
 */
export async function* readMailboxJson(tap: FileTap, displayName: string, opts: EmailOptions = {}): AsyncGenerator<RawRecord> {
  const cap = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const src = await source(tap, opts.encoding ?? 'utf-8')
  const { encoding } = src

  let phase: Phase = 'start'
  let n = 0 // elements seen
  let offset = src.bomLength // file offset of chunk[0] (of the transcoded stream for UTF-16 files)
  let firstByte = -1
  let firstOffset = 0
  // The element being read.
  let el: Piece | null = null
  let inStr = false
  let esc = false
  let depth = 0
  let tooDeep = false
  let note: string | null = null
  let trailing: Piece | null = null

  const start = (at: number) => {
    n++
    el = new Piece(at, cap)
    inStr = false
    esc = false
    depth = 0
    tooDeep = false
  }

  const finish = (eof: boolean): RawRecord => {
    const piece = el!
    el = null
    const rec = elementRecord(piece, n, eof, tooDeep, note, displayName, encoding, cap)
    note = null
    return rec
  }

  for await (const chunk of src.chunks) {
    let i = 0
    let seg = 0 // where the current element's bytes start in this chunk
    // Cached positions of the next quote / backslash in this chunk (string fast path).
    let nextQuote = -2
    let nextBackslash = -2
    const len = chunk.length
    while (i < len) {
      const b = chunk[i]!
      switch (phase) {
        case 'start':
          if (isWs(b)) {
            i++
            break
          }
          if (b === OPEN_ARR) {
            phase = 'between'
            i++
            break
          }
          phase = 'not-array'
          firstByte = b
          firstOffset = offset + i
          i = len
          break
        case 'not-array':
          i = len
          break
        case 'between':
          if (isWs(b)) {
            i++
            break
          }
          if (b === CLOSE_ARR) {
            phase = 'done'
            i++
            break
          }
          if (b === COMMA) {
            i++
            break
          } // an empty element ("[,"  ",,"): nothing to read, nothing lost
          start(offset + i)
          phase = 'element'
          seg = i
          break
        case 'after':
          if (isWs(b)) {
            i++
            break
          }
          if (b === COMMA) {
            phase = 'between'
            i++
            break
          }
          if (b === CLOSE_ARR) {
            phase = 'done'
            i++
            break
          }
          note = `no comma between message ${n} and this one (byte ${offset + i}); read as two messages`
          start(offset + i)
          phase = 'element'
          seg = i
          break
        case 'element': {
          if (inStr) {
            if (esc) {
              esc = false
              i++
              break
            }
            // Fast path: jump to the next quote or backslash.
            if (nextQuote !== -1 && nextQuote < i) nextQuote = chunk.indexOf(QUOTE, i)
            if (nextBackslash !== -1 && nextBackslash < i) nextBackslash = chunk.indexOf(BACKSLASH, i)
            const q = nextQuote < 0 ? len : nextQuote
            const bs = nextBackslash < 0 ? len : nextBackslash
            const j = Math.min(q, bs)
            if (j >= len) {
              i = len
              break
            }
            if (j === bs) {
              esc = true
              i = j + 1
              break
            }
            inStr = false
            i = j + 1
            if (depth === 0) {
              el!.append(chunk, seg, i)
              phase = 'after'
              yield finish(false)
            }
            break
          }
          if (b === QUOTE) {
            inStr = true
            i++
            break
          }
          if (b === OPEN_OBJ || b === OPEN_ARR) {
            if (++depth > MAX_JSON_DEPTH) tooDeep = true
            i++
            break
          }
          if ((b === CLOSE_OBJ || b === CLOSE_ARR) && depth > 0) {
            i++
            if (--depth === 0) {
              el!.append(chunk, seg, i)
              phase = 'after'
              yield finish(false)
            }
            break
          }
          if (depth === 0 && (b === COMMA || b === CLOSE_ARR || isWs(b))) {
            // The end of a bare value (a number, true, garbage): the byte is read again in the next phase.
            el!.append(chunk, seg, i)
            phase = 'after'
            yield finish(false)
            break
          }
          i++
          break
        }
        case 'done':
          if (isWs(b)) {
            i++
            break
          }
          phase = 'trailing'
          trailing = new Piece(offset + i, 0)
          seg = i
          i = len
          break
        case 'trailing':
          i = len
          break
      }
    }
    if (phase === 'element') el!.append(chunk, seg, len)
    else if (phase === 'trailing') trailing!.append(chunk, seg, len)
    offset += len
  }

  const fileRecord = (message: string): RawRecord => {
    const f = src.file()
    const body = f.head.subarray(src.bomLength)
    const t = textOf(body, src.fileEncoding, f.size > f.head.length)
    const facts: RawFacts = { size: f.size, sha256: f.sha256, truncated: f.size > f.head.length, ...(t.valid ? {} : { bytes: f.head }) }
    return { kind: 'email', origin: { file: displayName, locator: 'file' }, raw: t.text, fields: {}, readError: { field: null, message }, rawFacts: facts }
  }

  switch (phase as Phase) {
    case 'start':
      yield fileRecord('empty file, expected a JSON array of messages ([{"message_id": …}, …])')
      break
    case 'not-array':
      yield fileRecord(notAnArray(firstByte, firstOffset))
      break
    case 'between':
    case 'after':
      yield fileRecord(
        `the file ends before the JSON array is closed (after message ${n}): it may be cut short, and messages after message ${n} may be missing`
      )
      break
    case 'element':
      yield finish(true)
      break
    case 'trailing': {
      const t = trailing!.take()
      const text = textOf(t.bytes, encoding, t.truncated)
      yield {
        kind: 'email',
        origin: { file: displayName, locator: 'file' },
        raw: text.text,
        fields: {},
        readError: {
          field: null,
          message: `unexpected content after the end of the JSON array (byte ${trailing!.offset}, ${t.size} bytes); it is not read as messages`
        },
        rawFacts: { size: t.size, sha256: t.sha256, truncated: t.truncated, ...(text.valid ? {} : { bytes: t.bytes }) }
      }
      break
    }
    default:
      break
  }
}

function notAnArray(b: number, at: number): string {
  const expected = 'expected a JSON array of messages ([{"message_id": …}, …])'
  if (b === OPEN_OBJ) return `the file holds a JSON object ("{" at byte ${at}), ${expected}`
  if (b === QUOTE) return `the file holds a JSON string (at byte ${at}), ${expected}`
  if (b === 0x2d || (b >= 0x30 && b <= 0x39)) return `the file holds a JSON number (at byte ${at}), ${expected}`
  const what = b >= 0x20 && b < 0x7f ? JSON.stringify(String.fromCharCode(b)) : `byte 0x${b.toString(16).padStart(2, '0')}`
  return `the file is not valid JSON: it starts with ${what} at byte ${at}, ${expected}`
}

/** One element's bytes → a record: its fields, or the reason it cannot be read. */
function elementRecord(piece: Piece, n: number, eof: boolean, tooDeep: boolean, note: string | null, file: string, encoding: string, cap: number): RawRecord {
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
