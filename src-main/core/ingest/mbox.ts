// .mbox mailboxes, split into messages on the bytes: a "From " line at the start of the file, after a blank line,
// or in the postmark form "From sender Tue Nov 24 10:00:00 2026" starts a message; ">From " lines are un-escaped
// one level (mboxo/mboxrd); content before the first "From " line is a message too; CRLF files work. Each message
// is then read as an .eml file is (email.ts).
import type { RawRecord } from '../model.js'
import { DEFAULT_MAX_MESSAGE_BYTES, RAW_KEEP_BYTES, type FileTap } from './bytes.js'
import { hasUtf8Bom, messageRecord, type EmailOptions } from './email.js'
import { MessageBytes } from './message-bytes.js'

const LF = 0x0a
const CR = 0x0d
const GT = 0x3e
const FROM_ = Buffer.from('From ')
const LF_BUF = Buffer.from('\n')
const CRLF_BUF = Buffer.from('\r\n')
const CR_BUF = Buffer.from('\r')
/** How much of a "From " line is looked at to tell a postmark from a body line. */
const FROM_LINE_LOOK = 256
const POSTMARK = /^From \S+\s+[A-Za-z]{3},?\s+[A-Za-z]{3}\s+\d{1,2}\s+\d{1,2}:\d{2}/

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
