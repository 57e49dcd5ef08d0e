// Vendor e-mail sources: mailbox export JSON, single .eml messages and .mbox mailboxes.
import { createReadStream } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createInterface } from 'node:readline'
import { simpleParser } from 'mailparser'
import type { RawRecord } from '../model.js'

const EXPORT_FIELDS = ['message_id', 'vendor', 'subject', 'body', 'severity_hint', 'created_at'] as const

/** Mailbox export: a JSON array of {message_id, vendor, subject, body, severity_hint, created_at}. */
export async function* readMailboxExport(path: string, displayName: string): AsyncGenerator<RawRecord> {
  const text = await readFile(path, 'utf8')
  let data: unknown
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''))
  } catch (e) {
    yield fileError(displayName, text, `the file is not valid JSON (${(e as Error).message})`)
    return
  }
  if (!Array.isArray(data)) {
    yield fileError(displayName, text, 'expected a JSON array of messages')
    return
  }
  let i = 0
  for (const item of data) {
    i++
    const origin = { file: displayName, locator: String(i) }
    const raw = JSON.stringify(item)
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      yield { kind: 'email', origin, raw, fields: {}, readError: { field: null, message: 'expected an object with message_id, subject, created_at' } }
      continue
    }
    const obj = item as Record<string, unknown>
    const fields: Record<string, unknown> = {}
    for (const f of EXPORT_FIELDS) fields[f] = obj[f]
    yield { kind: 'email', origin, raw, fields }
  }
}

function fileError(file: string, raw: string, message: string): RawRecord {
  return { kind: 'email', origin: { file, locator: 'file' }, raw: raw.slice(0, 1024 * 1024), fields: {}, readError: { field: null, message } }
}

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

export async function* readEml(path: string, displayName: string): AsyncGenerator<RawRecord> {
  yield await parseMessage(await readFile(path, 'utf8'), displayName, '1')
}

/** mbox (mboxrd/mboxo): messages separated by "From " lines; streamed line by line. */
export async function* readMbox(path: string, displayName: string): AsyncGenerator<RawRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity })
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
