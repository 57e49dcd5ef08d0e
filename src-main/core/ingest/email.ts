// Vendor e-mail sources: single .eml messages and .mbox mailboxes.

export interface EmailOptions {
  /** Charset for 8-bit text that declares none (default utf-8). */
  encoding?: string
  /** A message bigger than this (bytes) is one quarantine record. */
  maxMessageBytes?: number
}
import { Readable } from 'node:stream'
import { createInterface } from 'node:readline'
import type { FileTap } from './bytes.js'
import { simpleParser } from 'mailparser'
import type { RawRecord } from '../model.js'

/** One RFC 822 message → RawRecord with the export's field names. */
export async function parseMessage(source: string, file: string, locator: string): Promise<RawRecord> {
  const origin = { file, locator }
  try {
    const mail = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true })
    const dateHeader = mail.headerLines.find((h) => h.key === 'date')
    let created_at: unknown
    if (dateHeader) created_at = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.toISOString() : dateHeader.line.replace(/^date:\s*/i, '')
    const from = mail.from?.value[0]
    const hint = mail.headers.get('x-severity') ?? mail.headers.get('x-alert-severity')
    return {
      kind: 'email',
      origin,
      raw: source,
      fields: {
        message_id: mail.messageId?.replace(/^<|>$/g, ''),
        vendor: from ? (from.address ?? from.name ?? '').toLowerCase() || null : null,
        subject: mail.subject,
        body: mail.text ?? '',
        severity_hint: typeof hint === 'string' ? hint : null,
        created_at
      }
    }
  } catch (e) {
    return { kind: 'email', origin, raw: source, fields: {}, readError: { field: null, message: `unreadable e-mail: ${(e as Error).message}` } }
  }
}

export async function* readEml(tap: FileTap, displayName: string, _opts: EmailOptions = {}): AsyncGenerator<RawRecord> {
  const parts: Buffer[] = []
  for await (const c of tap.chunks()) parts.push(c)
  yield await parseMessage(Buffer.concat(parts).toString('utf8'), displayName, '1')
}

/** mbox (mboxrd/mboxo): messages separated by "From " lines; streamed line by line. */
export async function* readMbox(tap: FileTap, displayName: string, _opts: EmailOptions = {}): AsyncGenerator<RawRecord> {
  const lines = createInterface({ input: Readable.from(tap.chunks()).setEncoding('utf8'), crlfDelay: Infinity })
  let current: string[] | null = null
  let n = 0
  let prevBlank = true
  for await (const line of lines) {
    if (line.startsWith('From ') && prevBlank) {
      if (current) yield await parseMessage(current.join('\n'), displayName, String(++n))
      current = []
    } else if (current) {
      current.push(/^>+From /.test(line) ? line.slice(1) : line)
    }
    prevBlank = line === ''
  }
  if (current) yield await parseMessage(current.join('\n'), displayName, String(++n))
}
