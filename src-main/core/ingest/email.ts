// Vendor e-mail sources: single .eml messages and .mbox mailboxes, read as bytes.
//
//  - A message's bytes go to mailparser as a Buffer, never decoded first. Text that declares no charset (a text
//    part without charset=, a raw 8-bit header line) is read as UTF-8 when it is valid UTF-8, else in `encoding`
//    (sources.email.encoding) when that is not UTF-8, else in the one charset the message declares elsewhere: such
//    parts are given that charset and such header lines transcoded to UTF-8 before mailparser sees them
//    (mailparser itself reads undeclared text, and every raw header byte, as UTF-8). Text still not readable is
//    read with U+FFFD, and the record's notes say so and its rawFacts keep the exact bytes.
//  - A message over `maxMessageBytes` is one quarantine record (its first RAW_KEEP_BYTES, full size and SHA-256);
//    the rest of it is hashed, not held, and reading resumes at the next message.
//  - mbox is split on the bytes: a "From " line at the start of the file, after a blank line, or in the postmark
//    form "From sender Tue Nov 24 10:00:00 2026" starts a message; ">From " lines are un-escaped one level
//    (mboxo/mboxrd); content before the first "From " line is a message too; CRLF files work.
//  - created_at comes from the Date header read as RFC 5322 (mailparser substitutes the current time for a date
//    it cannot read), else from the first Received header, which is then said in the record's notes; else the
//    message is quarantined.

export interface EmailOptions {
  /** Charset for 8-bit text that declares none (default utf-8). */
  encoding?: string
  /** A message bigger than this (bytes) is one quarantine record. */
  maxMessageBytes?: number
}
import { createHash } from 'node:crypto'
import iconv from 'iconv-lite'
import { simpleParser } from 'mailparser'
import type { RawFacts, RawRecord } from '../model.js'
import { parseRfc5322Date, parseTimestamp } from '../normalize/time.js'
import {
  decodeText,
  DEFAULT_MAX_MESSAGE_BYTES,
  firstInvalidUtf8,
  isAsciiCompatible,
  isUtf8,
  isKnownEncoding,
  lossyText,
  RAW_KEEP_BYTES,
  RecordDigest,
  type FileTap
} from './bytes.js'

const LF = 0x0a
const CR = 0x0d
const GT = 0x3e
const FROM_ = Buffer.from('From ')
const LF_BUF = Buffer.from('\n')
const CRLF_BUF = Buffer.from('\r\n')
const CR_BUF = Buffer.from('\r')
/** How much of a "From " line is looked at to tell a postmark from a body line. */
const FROM_LINE_LOOK = 256
const BLOCK = 16 * 1024 // RAW_KEEP_BYTES is a multiple of it
const POSTMARK = /^From \S+\s+[A-Za-z]{3},?\s+[A-Za-z]{3}\s+\d{1,2}\s+\d{1,2}:\d{2}/

const clip = (s: string, n = 100) => (s.length > n ? `${s.slice(0, n - 3)}...` : s)

/** The bytes of one message as they are read: all of them up to the cap, then only the first RAW_KEEP_BYTES. */
class MessageBytes {
  // Copied into blocks: a subarray would pin a whole read chunk, and a Buffer per line costs more than the line.
  private blocks: Buffer[] = []
  private block = Buffer.allocUnsafe(BLOCK)
  private used = 0
  private readonly digest = new RecordDigest()
  /** Over the cap: only the first RAW_KEEP_BYTES are held. */
  over = false
  /** File offset of the first NUL byte, or -1. */
  nul = -1
  /** Has a byte other than space, tab, CR, LF. */
  nonBlank = false

  constructor(
    private readonly cap: number,
    readonly fromLine: boolean
  ) {}

  get size(): number {
    return this.digest.size
  }

  get held(): number {
    return this.blocks.length * BLOCK + this.used
  }

  push(b: Buffer, fileOffset: number): void {
    if (b.length === 0) return
    if (this.nul < 0) {
      const z = b.indexOf(0)
      if (z >= 0) this.nul = fileOffset + z
    }
    if (!this.nonBlank) {
      for (let i = 0; i < b.length; i++) {
        const c = b[i]!
        if (c !== 0x20 && c !== 0x09 && c !== CR && c !== LF) {
          this.nonBlank = true
          break
        }
      }
    }
    this.digest.update(b)
    if (!this.over && this.digest.size > this.cap) {
      // Over the cap: from here on only the first RAW_KEEP_BYTES are held, the rest is hashed.
      this.over = true
      if (this.held >= RAW_KEEP_BYTES) {
        const keep = RAW_KEEP_BYTES / BLOCK // whole blocks: RAW_KEEP_BYTES is a multiple of BLOCK
        if (this.blocks.length < keep) this.blocks.push(this.block) // then the current block is full
        this.blocks.length = keep
        this.block = Buffer.allocUnsafe(BLOCK)
        this.used = 0
      }
    }
    if (this.over) {
      if (this.held >= RAW_KEEP_BYTES) return
      b = b.subarray(0, RAW_KEEP_BYTES - this.held)
    }
    let at = 0
    while (at < b.length) {
      if (this.used === BLOCK) {
        this.blocks.push(this.block)
        this.block = Buffer.allocUnsafe(BLOCK)
        this.used = 0
      }
      const n = b.copy(this.block, this.used, at, Math.min(b.length, at + BLOCK - this.used))
      this.used += n
      at += n
    }
  }

  bytes(): Buffer {
    const all = this.blocks.length === 0 ? this.block.subarray(0, this.used) : Buffer.concat([...this.blocks, this.block.subarray(0, this.used)])
    return this.over ? all.subarray(0, RAW_KEEP_BYTES) : all
  }

  sha256(): string {
    return this.digest.digest()
  }
}

/** A quarantine-bound record for a message the reader itself cannot hand to the parser. */
function readErrorRecord(file: string, locator: string, raw: string, message: string, facts: RawFacts, field: string | null = null): RawRecord {
  return { kind: 'email', origin: { file, locator }, raw, fields: {}, readError: { field, message }, rawFacts: facts }
}

/**
 * The charset for text that declares none and is not valid UTF-8: sources.email.encoding when it is not UTF-8,
 * else the one charset the message declares elsewhere (the same mailer wrote both), else none (read as UTF-8, with
 * U+FFFD, and said).
 */
function fallbackCharset(declared: Set<string>, setting: string): string | null {
  if (!isUtf8(setting) && isAsciiCompatible(setting)) return setting
  const others = [...declared].filter((c) => !isUtf8(c) && !/^(us-?)?ascii$/i.test(c) && isKnownEncoding(c) && isAsciiCompatible(c))
  return others.length === 1 ? others[0]! : null
}

/** A message's text for display and storage: the bytes decoded as best known, and whether that is exact. */
function rawText(bytes: Buffer, charset: string | null): { raw: string; exact: boolean; note?: string } {
  const utf8 = decodeText(bytes, 'utf-8')
  if (utf8.ok) return { raw: utf8.text, exact: true }
  const at = firstInvalidUtf8(bytes)
  const where = `byte 0x${bytes[at]!.toString(16).padStart(2, '0')} at byte ${at} of the message`
  if (charset) {
    const raw = iconv.decode(bytes, charset)
    if (iconv.encode(raw, charset).equals(bytes)) return { raw, exact: true }
    return {
      raw,
      exact: false,
      note: `the message is not valid UTF-8 (${where}) and not all of it is valid ${charset}: its raw text is read as ${charset}, and its exact bytes are kept`
    }
  }
  return {
    raw: lossyText(bytes),
    exact: false,
    note: `the message is not valid UTF-8 (${where}): its raw text shows U+FFFD for the bytes that are not, and its exact bytes are kept; if the vendor sends undeclared 8-bit text in another charset, set sources.email.encoding`
  }
}

/** The first RAW_KEEP_BYTES of a message over the cap, as text: a UTF-8 sequence cut at the end is not an error. */
function headText(bytes: Buffer, cut: boolean, opts: EmailOptions): { raw: string; exact: boolean } {
  let b = bytes
  if (cut) {
    const inv = firstInvalidUtf8(b)
    const tail = b.subarray(inv)
    if (inv < b.length && tail.length <= 3 && tail[0]! >= 0xc2 && tail.subarray(1).every((c) => (c & 0xc0) === 0x80)) b = b.subarray(0, inv)
  }
  const setting = opts.encoding ?? 'utf-8'
  const r = rawText(b, !isUtf8(setting) && isAsciiCompatible(setting) ? setting : null)
  return { raw: r.raw, exact: r.exact } // a prefix of the message, and said to be (truncated)
}

/** The record for one message's bytes, as read by readEml/readMbox. */
async function messageRecord(m: MessageBytes, file: string, locator: string, opts: EmailOptions, what: 'e-mail message' | 'mailbox'): Promise<RawRecord> {
  const cap = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  const bytes = m.bytes()
  const size = m.size
  const sha256 = m.sha256()
  if (m.over) {
    const h = headText(bytes, size > bytes.length, opts)
    return readErrorRecord(
      file,
      locator,
      h.raw,
      `message of ${size} bytes is over the ${cap}-byte limit (sources.email.max_message_bytes); its first ${bytes.length} bytes, size and SHA-256 are kept`,
      { size, sha256, truncated: true, ...(h.exact ? {} : { bytes }) }
    )
  }
  if (m.nul >= 0) {
    const message =
      what === 'mailbox' && !m.fromLine ? `not a mailbox: NUL bytes at byte ${m.nul}` : `not an e-mail message: NUL bytes at byte ${m.nul} of the file`
    return readErrorRecord(file, locator, lossyText(bytes.subarray(0, RAW_KEEP_BYTES)).replaceAll('\0', '\uFFFD'), message, {
      size,
      sha256,
      truncated: size > RAW_KEEP_BYTES,
      bytes: bytes.subarray(0, RAW_KEEP_BYTES)
    })
  }
  if (!m.nonBlank) {
    const message =
      what === 'mailbox' ? 'empty message (nothing between its "From " line and the next)' : 'empty message (the file holds no headers and no body)'
    return readErrorRecord(file, locator, bytes.toString('latin1'), message, { size, sha256, truncated: false })
  }
  return parseMessage(bytes, file, locator, opts, { size, sha256 })
}

/**
 * The bytes a stored message's raw text can have come from, the likelier first, each as the reader hands them to
 * mailparser (the same MIME pass). The raw text is the message read as UTF-8 when it was valid UTF-8, else read in
 * its fallback charset (rawText): so its UTF-8 bytes, and, when the fallback charset encodes its non-ASCII text to
 * bytes that are not UTF-8, those bytes too. For the alert detail, which parses a stored message again for display.
 */
export function messageBytesOf(raw: string, encoding = 'utf-8'): Buffer[] {
  const utf8 = Buffer.from(raw, 'utf8')
  const first = mimeStructure(utf8, null)
  const fallback = fallbackCharset(first.charsets, encoding)
  const out = [fallback ? mimeStructure(utf8, fallback).bytes : first.bytes]
  if (fallback && /[^\x00-\x7f]/.test(raw)) {
    const back = iconv.encode(raw, fallback)
    if (!isValidUtf8(back) && iconv.decode(back, fallback) === raw) out.push(mimeStructure(back, fallback).bytes)
  }
  return out
}

/** One RFC 822 message (its bytes) → RawRecord with the export's field names. Never throws for bad data. */
async function parseMessage(
  source: Buffer | string,
  file: string,
  locator: string,
  opts: EmailOptions = {},
  digest?: { size: number; sha256: string }
): Promise<RawRecord> {
  const bytes = typeof source === 'string' ? Buffer.from(source, 'utf8') : source
  const size = digest?.size ?? bytes.length
  const sha256 = digest?.sha256 ?? createHash('sha256').update(bytes).digest('hex')
  const origin = { file, locator }
  const setting = opts.encoding ?? 'utf-8'
  let structure = mimeStructure(bytes, null)
  const fallback = fallbackCharset(structure.charsets, setting)
  if (fallback) structure = mimeStructure(bytes, fallback)
  const text = rawText(bytes, fallback)
  const keep = !text.exact
  const rawFacts: RawFacts = { size, sha256, truncated: false, ...(keep ? { bytes: bytes.subarray(0, RAW_KEEP_BYTES) } : {}) }
  const notes: string[] = []
  if (text.note) notes.push(size > RAW_KEEP_BYTES && keep ? `${text.note} (its first ${RAW_KEEP_BYTES} bytes)` : text.note)
  const base = { kind: 'email' as const, origin, raw: text.raw, rawFacts }
  let mail: Awaited<ReturnType<typeof simpleParser>>
  try {
    mail = await simpleParser(structure.bytes, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true })
  } catch (e) {
    return { ...base, fields: {}, readError: { field: null, message: `unreadable e-mail: ${(e as Error).message}` }, ...(notes.length ? { notes } : {}) }
  }
  const from = mail.from?.value[0]
  const hint = mail.headers.get('x-severity') ?? mail.headers.get('x-alert-severity')
  const fields: Record<string, unknown> = {
    message_id: mail.messageId?.replace(/^<|>$/g, ''),
    vendor: from ? (from.address ?? from.name ?? '').toLowerCase() || null : null,
    subject: mail.subject,
    body: mail.text ?? '',
    severity_hint: typeof hint === 'string' ? hint : null
  }
  const when = createdAt(structure.headers)
  if (!when.ok) return { ...base, fields, readError: { field: 'created_at', message: when.message }, ...(notes.length ? { notes } : {}) }
  fields.created_at = when.value
  if (when.note) notes.push(when.note)
  return { ...base, fields, ...(notes.length ? { notes } : {}) }
}

type CreatedAt = { ok: true; value: string; note?: string } | { ok: false; message: string }

/**
 * The message's creation time: its Date header (RFC 5322; an ISO 8601 timestamp is accepted too, read like any
 * other source timestamp), else the time of the first (topmost, i.e. last added) Received header, which is said.
 */
function createdAt(headers: Array<{ key: string; value: string }>): CreatedAt {
  const date = headers.find((h) => h.key === 'date')
  let why: string
  let missing: string
  if (date) {
    const v = date.value.trim()
    const r = parseRfc5322Date(v)
    if (r.ok) return { ok: true, value: r.iso }
    if (parseTimestamp(v).ok) return { ok: true, value: v, note: `the Date header ${JSON.stringify(clip(v))} is not an RFC 5322 date; it was read as ISO 8601` }
    why = `the Date header ${JSON.stringify(clip(v, 200))} cannot be read`
    missing = `the Date header ${JSON.stringify(clip(v))} cannot be read as an RFC 5322 date`
  } else {
    why = 'the message has no Date header'
    missing = 'no Date header'
  }
  const received = headers.find((h) => h.key === 'received')
  if (!received) return { ok: false, message: `${missing}, and no Received header to take the time from` }
  const semi = received.value.lastIndexOf(';')
  const stamp = semi < 0 ? '' : received.value.slice(semi + 1).trim()
  const r = stamp ? parseRfc5322Date(stamp) : null
  if (!r?.ok)
    return {
      ok: false,
      message: `${missing}, and the time of the first Received header ${stamp ? `(${JSON.stringify(clip(stamp))}) cannot be read either` : `cannot be found (no ";" date in ${JSON.stringify(clip(received.value.trim()))})`}`
    }
  return { ok: true, value: r.iso, note: `created_at taken from the first Received header (${why})` }
}

// ---------------------------------------------------------------------------------------------------------------
// MIME structure on the bytes: the top-level headers, the charsets parts declare, and (when a charset is given for
// undeclared text) a copy of the message in which every undeclared text part that is not valid UTF-8 declares it
// and every header line that is not valid UTF-8 is transcoded to UTF-8, which is how mailparser reads headers.

interface Structure {
  bytes: Buffer
  headers: Array<{ key: string; value: string }>
  charsets: Set<string>
}

interface Edit {
  start: number
  end: number
  with: Buffer
}

const MAX_DEPTH = 50

function mimeStructure(msg: Buffer, undeclared: string | null): Structure {
  const edits: Edit[] = []
  const charsets = new Set<string>()
  const top = entity(msg, 0, msg.length, undeclared, edits, charsets, 0, true)
  let bytes = msg
  if (edits.length) {
    edits.sort((a, b) => a.start - b.start)
    const out: Buffer[] = []
    let at = 0
    for (const e of edits) {
      out.push(msg.subarray(at, e.start), e.with)
      at = e.end
    }
    out.push(msg.subarray(at))
    bytes = Buffer.concat(out)
  }
  return { bytes, headers: top, charsets }
}

function isValidUtf8(b: Buffer): boolean {
  return firstInvalidUtf8(b) === b.length
}

/** Reads one MIME entity in [start, end); returns its headers (unfolded). Records edits for undeclared text. */
function entity(
  msg: Buffer,
  start: number,
  end: number,
  undeclared: string | null,
  edits: Edit[],
  charsets: Set<string>,
  depth: number,
  root: boolean,
  inDigest = false
): Array<{ key: string; value: string }> {
  // The header block ends at the first empty line.
  let pos = start
  let headerEnd = end
  let bodyStart = end
  while (pos < end) {
    let nl = msg.indexOf(LF, pos)
    if (nl < 0 || nl >= end) nl = end
    const contentEnd = nl > pos && msg[nl - 1] === CR ? nl - 1 : nl
    if (contentEnd === pos) {
      headerEnd = pos
      bodyStart = Math.min(nl + 1, end)
      break
    }
    pos = nl + 1
  }
  if (pos >= end) headerEnd = end
  const block = msg.subarray(start, headerEnd)
  const readLines = (charset: string | null) => {
    const lines: string[] = []
    let transcoded = false
    for (let i = 0; i < block.length;) {
      let nl = block.indexOf(LF, i)
      nl = nl < 0 ? block.length : nl + 1
      const line = block.subarray(i, nl)
      if (isValidUtf8(line)) lines.push(line.toString('utf8'))
      else if (charset) {
        lines.push(iconv.decode(line, charset))
        transcoded = true
      } else lines.push(line.toString('latin1'))
      i = nl
    }
    return { text: lines.join(''), transcoded }
  }
  let { text, transcoded: changed } = readLines(null)
  let headers = unfold(text)
  const ct = headers.find((h) => h.key === 'content-type')?.value ?? ''
  // RFC 2046 5.1.5: a part of a multipart/digest without a Content-Type is a message/rfc822.
  const type = (ct.split(';')[0] ?? '').trim().toLowerCase() || (inDigest ? 'message/rfc822' : 'text/plain')
  const charset = param(ct, 'charset')
  if (charset) charsets.add(charset.toLowerCase())
  // Header lines that are not valid UTF-8 are 8-bit text in the entity's own charset, else the fallback one.
  const own = charset && !isUtf8(charset) && isKnownEncoding(charset) && isAsciiCompatible(charset) ? charset : null
  if (undeclared && !isValidUtf8(block)) {
    ;({ text, transcoded: changed } = readLines(own ?? undeclared))
    headers = unfold(text)
  }
  if (/^multipart\//.test(type)) {
    const boundary = param(ct, 'boundary')
    if (boundary && depth < MAX_DEPTH)
      for (const [s, e] of parts(msg, bodyStart, end, boundary)) entity(msg, s, e, undeclared, edits, charsets, depth + 1, false, type === 'multipart/digest')
  } else if (undeclared && !charset && type.startsWith('text/')) {
    const cte = (headers.find((h) => h.key === 'content-transfer-encoding')?.value ?? '').trim().toLowerCase()
    if (!isValidUtf8(transferDecoded(msg.subarray(bodyStart, end), cte))) {
      const eol = msg[headerEnd] === CR || /\r\n/.test(text) ? '\r\n' : '\n'
      const field = /^content-type[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*/im.exec(text)
      if (field) {
        const value = field[0].replace(/\r$/, '')
        const trimmed = value.replace(/[\s;]+$/, '')
        const at = field.index + trimmed.length
        text = `${text.slice(0, at)}; charset=${undeclared}${text.slice(at)}`
      } else text = `Content-Type: text/plain; charset=${undeclared}${eol}${text}`
      changed = true
    }
  }
  // (Only when the text stands for the bytes: invalid UTF-8 read as Latin-1 just to find the headers does not.)
  if (root && (changed || isValidUtf8(block))) {
    const guarded = guardSubject(text)
    if (guarded !== text) {
      text = guarded
      changed = true
    }
  }
  if (changed) edits.push({ start, end: headerEnd, with: Buffer.from(text, 'utf8') })
  return root ? headers : []
}

/**
 * mailparser trims a header value while it still holds the raw bytes as Latin-1 characters, so a UTF-8 value whose
 * last byte is 0xA0 (1 in 64 non-ASCII characters: 㨠, ठ, a no-break space) loses that byte and ends in U+FFFD. A
 * Subject ending that way gets its last word written as an RFC 2047 encoded word, which decodes to the same text.
 */
function guardSubject(text: string): string {
  const m = /^(subject[ \t]*:)([^\n]*(?:\n[ \t][^\n]*)*)/im.exec(text)
  if (!m) return text
  const value = m[2]!.replace(/\r$/, '')
  const tail = /([ \t]*)([^ \t\r\n]+)([ \t\r\n]*)$/.exec(value)
  if (!tail) return text
  const word = Buffer.from(tail[2]!, 'utf8')
  if (word[word.length - 1] !== 0xa0) return text
  // The space before an encoded word that follows another one is not part of the text: carry it inside.
  const before = value.slice(0, tail.index)
  const carry = /\?=$/.test(before) ? tail[1]! : ''
  const encoded = `${before}${carry ? ' ' : tail[1]}=?UTF-8?B?${Buffer.from(carry + tail[2]!, 'utf8').toString('base64')}?=${tail[3]}`
  const start = m.index + m[1]!.length
  return text.slice(0, start) + encoded + text.slice(start + value.length)
}

function unfold(text: string): Array<{ key: string; value: string }> {
  const out: Array<{ key: string; value: string }> = []
  for (const field of text.split(/\r?\n(?![ \t])/)) {
    const colon = field.indexOf(':')
    if (colon <= 0) continue
    const key = field.slice(0, colon).trim().toLowerCase()
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(key)) continue
    out.push({
      key,
      value: field
        .slice(colon + 1)
        .replace(/\r?\n[ \t]/g, ' ')
        .replace(/\r$/, '')
    })
  }
  return out
}

function param(value: string, name: string): string | null {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;\\s()]+))`, 'i').exec(value)
  const v = m ? (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!) : null
  return v === null || v === '' ? null : v
}

/** The body parts of a multipart entity: ranges between its delimiter lines (RFC 2046 5.1.1). */
function parts(msg: Buffer, start: number, end: number, boundary: string): Array<[number, number]> {
  const delim = Buffer.from(`--${boundary}`, 'latin1')
  const out: Array<[number, number]> = []
  let partStart = -1
  let from = start
  while (from < end) {
    const at = msg.indexOf(delim, from)
    if (at < 0 || at + delim.length > end) break
    from = at + delim.length
    if (at !== start && msg[at - 1] !== LF) continue
    let p = at + delim.length
    const close = msg[p] === 0x2d && msg[p + 1] === 0x2d
    if (close) p += 2
    while (p < end && (msg[p] === 0x20 || msg[p] === 0x09)) p++
    if (p < end && msg[p] !== CR && msg[p] !== LF) continue
    if (partStart >= 0) {
      let e = at > start ? at - 1 : at // the line break before the delimiter belongs to it
      if (e > partStart && msg[e - 1] === CR) e--
      out.push([partStart, Math.max(partStart, e)])
    }
    if (close) return out
    const nl = msg.indexOf(LF, p)
    partStart = nl < 0 || nl >= end ? end : nl + 1
    from = partStart
  }
  if (partStart >= 0 && partStart < end) out.push([partStart, end])
  return out
}

/** A body's content bytes under its Content-Transfer-Encoding (only to tell whether they are valid UTF-8). */
function transferDecoded(body: Buffer, cte: string): Buffer {
  if (cte === 'base64') return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64')
  if (cte !== 'quoted-printable') return body
  const out = Buffer.alloc(body.length)
  let n = 0
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === 0x3d) {
      const h = body.toString('latin1', i + 1, i + 3)
      if (/^[0-9A-Fa-f]{2}$/.test(h)) {
        out[n++] = parseInt(h, 16)
        i += 2
        continue
      }
      if (body[i + 1] === LF) {
        i += 1
        continue
      }
      if (body[i + 1] === CR && body[i + 2] === LF) {
        i += 2
        continue
      }
    }
    out[n++] = c
  }
  return out.subarray(0, n)
}

// ---------------------------------------------------------------------------------------------------------------

const hasUtf8Bom = (b: Buffer) => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf

/**
 * One message's bytes read exactly as readEml reads an .eml file (byte-order mark, size cap, NUL and empty checks,
 * then parseMessage), for messages that do not come from a file: an IMAP mailbox's (sources/imap.ts).
 */
export async function readMessage(bytes: Buffer, file: string, locator: string, opts: EmailOptions = {}): Promise<RawRecord> {
  const m = new MessageBytes(opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, false)
  const bom = hasUtf8Bom(bytes) ? 3 : 0
  m.push(bytes.subarray(bom), bom)
  return messageRecord(m, file, locator, opts, 'e-mail message')
}

export async function* readEml(tap: FileTap, displayName: string, opts: EmailOptions = {}): AsyncGenerator<RawRecord> {
  const m = new MessageBytes(opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, false)
  let offset = 0
  for await (let c of tap.chunks()) {
    if (offset === 0 && hasUtf8Bom(c)) {
      c = c.subarray(3) // not part of the message
      offset = 3
    }
    m.push(c, offset)
    offset += c.length
  }
  yield await messageRecord(m, displayName, '1', opts, 'e-mail message')
}

/**
 * mbox (mboxo/mboxrd), streamed on the bytes. A message's bytes are its lines without the "From " line, with
 * ">From " un-escaped one level and without the trailing line breaks (the blank line the format puts before the
 * next "From " line is not part of the message).
 */
export async function* readMbox(tap: FileTap, displayName: string, opts: EmailOptions = {}): AsyncGenerator<RawRecord> {
  const cap = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES
  let msg = new MessageBytes(cap, false)
  const done: MessageBytes[] = []
  let n = 0

  type State = 'prefix' | 'content' | 'fromline' | 'skip'
  let state: State = 'prefix'
  // The state changes inside the helpers below too, which TypeScript's narrowing does not see.
  const now = (): State => state
  let gt = 0 // '>' at the start of the line
  let matched = 0 // bytes of "From " matched after them
  let lineLen = 0 // content bytes of the current line given to the message
  let prevBlank = true // the start of the file counts as following a blank line
  let pendingCR = -1 // file offset of a CR at the end of a chunk whose LF may follow
  let fromBuf: Buffer[] = []
  let fromLen = 0
  let fromOffset = 0
  // Line breaks not yet given to the message: dropped when the message ends there.
  let eols: Buffer[] = []
  let eolLen = 0

  const emit = (b: Buffer, offset: number) => {
    if (b.length === 0) return
    if (eolLen) {
      for (const e of eols) msg.push(e, -1)
      eols = []
      eolLen = 0
    }
    msg.push(b, offset)
    lineLen += b.length
  }
  const endLine = (eol: Buffer) => {
    prevBlank = lineLen === 0
    eols.push(eol)
    eolLen += eol.length
    if (eolLen > RAW_KEEP_BYTES) {
      // Thousands of blank lines: they are content, not the separator's.
      for (const e of eols) msg.push(e, -1)
      eols = []
      eolLen = 0
    }
    state = 'prefix'
    gt = 0
    matched = 0
    lineLen = 0
  }
  const finish = () => {
    eols = []
    eolLen = 0
    // Content before the first "From " line is a message unless it is only blank.
    if (msg.fromLine || msg.nonBlank || msg.nul >= 0) done.push(msg)
  }
  const prefixBytes = (keepAll: boolean) => Buffer.from('>'.repeat(keepAll ? gt : Math.max(0, gt - 1)) + 'From '.slice(0, matched), 'latin1')
  /** The "From " line seen so far: a separator, or a line of the message. */
  const decideFromLine = (lineEnds: boolean) => {
    const head = Buffer.concat(fromBuf, fromLen)
    const text = `From ${head.toString('latin1')}`.replace(/\r$/, '')
    if (prevBlank || POSTMARK.test(text)) {
      finish()
      msg = new MessageBytes(cap, true)
      state = 'skip'
    } else {
      emit(FROM_, -1)
      let body = head
      if (lineEnds && body.length && body[body.length - 1] === CR) {
        body = body.subarray(0, body.length - 1)
        pendingCR = fromOffset + body.length
      }
      emit(body, fromOffset)
      state = 'content'
    }
    fromBuf = []
    fromLen = 0
  }

  let offset = 0
  for await (const chunk of tap.chunks()) {
    let i = offset === 0 && hasUtf8Bom(chunk) ? 3 : 0 // a byte-order mark is not part of the first message
    while (i < chunk.length) {
      if (pendingCR >= 0) {
        const crAt = pendingCR
        pendingCR = -1
        if (chunk[i] === LF) {
          if (now() === 'skip') {
            prevBlank = false
            state = 'prefix'
            gt = 0
            matched = 0
            lineLen = 0
          } else endLine(CRLF_BUF)
          i++
          continue
        }
        emit(CR_BUF, crAt)
      }
      if (now() === 'prefix') {
        const b = chunk[i]!
        if (matched === 0 && b === GT) {
          gt++
          i++
          continue
        }
        if (b === FROM_[matched]) {
          matched++
          i++
          if (matched === FROM_.length) {
            if (gt === 0) {
              state = 'fromline'
              fromOffset = offset + i
            } else {
              emit(prefixBytes(false), -1) // ">From " → "From ", ">>From " → ">From "
              state = 'content'
            }
          }
          continue
        }
        if (gt || matched) emit(prefixBytes(true), -1)
        state = 'content'
        continue
      }
      if (now() === 'fromline') {
        const nl = chunk.indexOf(LF, i)
        const stop = Math.min(nl < 0 ? chunk.length : nl, i + (FROM_LINE_LOOK - fromLen))
        if (stop > i) {
          fromBuf.push(Buffer.from(chunk.subarray(i, stop)))
          fromLen += stop - i
          i = stop
        }
        if (fromLen >= FROM_LINE_LOOK || (nl >= 0 && i === nl)) decideFromLine(nl >= 0 && i === nl)
        continue
      }
      if (now() === 'skip') {
        const nl = chunk.indexOf(LF, i)
        if (nl < 0) {
          i = chunk.length
          continue
        }
        i = nl + 1
        prevBlank = false
        state = 'prefix'
        gt = 0
        matched = 0
        lineLen = 0
        continue
      }
      // content
      const nl = chunk.indexOf(LF, i)
      if (nl < 0) {
        let e = chunk.length
        if (chunk[e - 1] === CR) {
          e--
          pendingCR = offset + e
        }
        emit(chunk.subarray(i, e), offset + i)
        i = chunk.length
        continue
      }
      let e = nl
      let eol = LF_BUF
      if (e > i && chunk[e - 1] === CR) {
        e--
        eol = CRLF_BUF
      }
      emit(chunk.subarray(i, e), offset + i)
      endLine(eol)
      i = nl + 1
    }
    offset += chunk.length
    while (done.length) yield await messageRecord(done.shift()!, displayName, String(++n), opts, 'mailbox')
  }
  // The end of the file: a pending CR is the last line's break; a "From " line not yet decided is decided now.
  if (now() === 'fromline') decideFromLine(true)
  else if (now() === 'prefix' && (gt || matched)) emit(prefixBytes(true), -1)
  finish()
  while (done.length) yield await messageRecord(done.shift()!, displayName, String(++n), opts, 'mailbox')
}
