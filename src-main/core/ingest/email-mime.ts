// MIME structure on the bytes: the top-level headers, the charsets parts declare, and (when a charset is given for
// undeclared text) a copy of the message in which every undeclared text part that is not valid UTF-8 declares it
// and every header line that is not valid UTF-8 is transcoded to UTF-8, which is how mailparser reads headers.
import iconv from 'iconv-lite'
import { firstInvalidUtf8, isAsciiCompatible, isKnownEncoding, isUtf8 } from './bytes.js'

const LF = 0x0a
const CR = 0x0d

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

export function mimeStructure(msg: Buffer, undeclared: string | null): Structure {
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

export function isValidUtf8(b: Buffer): boolean {
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
