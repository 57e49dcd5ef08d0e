// Mailbox export: a JSON array of {message_id, vendor, subject, body, severity_hint, created_at}, streamed.
//
// A byte-level scanner finds each top-level element of the array (it tracks strings with their escapes and the
// nesting depth with a counter, no recursion), so a 600 MB export is never held in memory: only one element at a
// time, and at most `maxMessageBytes` of it. Each element is then decoded strictly and parsed on its own, so one
// bad message (over the cap, invalid UTF-8, nested too deep, a syntax error, not an object) is one quarantine
// record and the messages beside it are read as usual.
import type { RawFacts, RawRecord } from '../model.js'
import { DEFAULT_MAX_MESSAGE_BYTES, type FileTap } from './bytes.js'
import type { EmailOptions } from './email.js'
import { BACKSLASH, CLOSE_ARR, CLOSE_OBJ, COMMA, isWs, OPEN_ARR, OPEN_OBJ, Piece, QUOTE, source, textOf } from './mailbox-json-bytes.js'
import { elementRecord, MAX_JSON_DEPTH } from './mailbox-json-message.js'

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
