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
//  - mbox mailboxes are split into messages by mbox.ts; each message is read as an .eml file is.
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
  type FileTap
} from './bytes.js'
import { isValidUtf8, mimeStructure } from './email-mime.js'
import { MessageBytes } from './message-bytes.js'

const clip = (s: string, n = 100) => (s.length > n ? `${s.slice(0, n - 3)}...` : s)

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
export async function messageRecord(
  m: MessageBytes,
  file: string,
  locator: string,
  opts: EmailOptions,
  what: 'e-mail message' | 'mailbox'
): Promise<RawRecord> {
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

export const hasUtf8Bom = (b: Buffer) => b.length >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf

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
