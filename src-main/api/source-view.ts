// The raw source of an audit entry laid out for an officer: a CSV record under its file's header, an e-mail as its
// headers and its plain-text body. Parsed here, on the server side, from the stored raw text (which the detail
// still returns as it is): the renderer shows the result as text only, never as HTML.
import { parse as parseCsv } from 'csv-parse/sync'
import { simpleParser, type HeaderValue } from 'mailparser'
import { messageBytesOf } from '../core/ingest/email.js'
import type { SourceView } from '../core/ports/alert-evidence.js'

/** A CSV file's header line as recorded with the run that read it (store: source_headers). */
export interface RecordedHeader {
  run_id: number
  header_line: string
  delimiter: string
}

function sentence(parts: string[]): string {
  const t = parts.join('; ')
  return `${t.charAt(0).toUpperCase()}${t.slice(1)}.`
}

function cells(line: string, delimiter: string): string[] | null {
  try {
    const rows = parseCsv(line, { delimiter, relax_quotes: true, relax_column_count: true, bom: true }) as string[][]
    return rows.length === 1 ? rows[0]! : null
  } catch {
    return null
  }
}

/**
 * `header`: the header recorded for the entry's file (null when none was); `entryRun`: the run that triaged the entry
 * (a header recorded by another run of the same file name is said to be so).
 */
function csvView(raw: string, header: RecordedHeader | null, entryRun: number, settingsDelimiter: string): SourceView {
  const delimiter = header?.delimiter ?? settingsDelimiter
  const record = cells(raw, delimiter)
  const head = header ? cells(header.header_line, delimiter) : null
  const notes: string[] = []
  if (!header) notes.push('the header line of this file was not recorded (it was read before Triage Desk kept CSV headers, or did not come from a CSV file)')
  else if (header.run_id !== entryRun)
    notes.push(`the header line recorded for this file name by run ${header.run_id} (this alert was triaged by run ${entryRun}, a quarantine correction)`)
  if (!record) notes.push('the record cannot be split into fields: shown as received only')
  else if (head && head.length !== record.length) notes.push(`the record has ${record.length} fields, the header ${head.length}`)
  return { kind: 'csv', header: head, record, header_line: header?.header_line ?? null, note: notes.length ? sentence(notes) : null }
}

function headerText(v: HeaderValue | undefined, line: string): string {
  const rawValue = line
    .slice(line.indexOf(':') + 1)
    .replace(/\r?\n[ \t]+/g, ' ')
    .trim()
  if (typeof v === 'string') return v
  if (v instanceof Date || v === undefined || v === null) return rawValue // the date as the sender wrote it
  if (Array.isArray(v)) return v.map(String).join(' ')
  if (typeof v === 'object' && 'text' in v && typeof v.text === 'string') return v.text // addresses, decoded
  if (typeof v === 'object' && 'value' in v && typeof v.value === 'string') {
    const params =
      'params' in v && v.params
        ? Object.entries(v.params as Record<string, string>)
            .map(([k, x]) => `; ${k}=${x}`)
            .join('')
        : ''
    return v.value + params
  }
  return rawValue
}

/** The message parsed as the reader parsed it: of the byte sequences the raw text can stand for, the one whose body is the alert's. */
async function parseAsRead(raw: string, opts: { encoding?: string; body?: string }) {
  const parse = (b: Buffer) => simpleParser(b, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true })
  const [likely, ...others] = messageBytesOf(raw, opts.encoding)
  const first = await parse(likely!)
  if (opts.body === undefined || (first.text ?? '').trim() === opts.body) return first
  for (const b of others) {
    const m = await parse(b)
    if ((m.text ?? '').trim() === opts.body) return m
  }
  return first
}

/** `opts.body`: the alert's body as the reader read it (the payload's); `opts.encoding`: sources.email.encoding. */
async function emailView(raw: string, opts: { encoding?: string; body?: string } = {}): Promise<SourceView> {
  try {
    const m = await parseAsRead(raw, opts)
    const seen = new Map<string, number>()
    const headers = m.headerLines.map(({ key, line }) => {
      const n = seen.get(key) ?? 0
      seen.set(key, n + 1)
      const all = m.headers.get(key)
      const v = Array.isArray(all) && key !== 'references' ? (all as HeaderValue[])[n] : all
      return { name: line.slice(0, line.indexOf(':')).trim(), value: headerText(v, line) }
    })
    const ct = (m.headers.get('content-type') as { value?: string } | undefined)?.value
    const hasTextPart = ct === undefined || /^text\/plain/i.test(ct) || /content-type:\s*text\/plain/i.test(raw)
    const body = (m.text ?? '').replace(/\s+$/, '')
    return {
      kind: 'email',
      headers,
      body,
      body_from: body === '' ? 'none' : hasTextPart ? 'text' : 'html',
      attachments: m.attachments.map((a) => ({ filename: a.filename ?? null, content_type: a.contentType, size: a.size })),
      note: headers.length ? null : 'no header was found: the record may not be a whole message'
    }
  } catch (e) {
    return { kind: 'text', note: `the message cannot be parsed for display (${(e as Error).message}): shown as received` }
  }
}

/** How to lay out an entry's raw source: e-mail sources as messages (a mailbox JSON element is already text). */
export async function sourceView(
  entry: { source_kind: 'transaction' | 'email'; source_file: string; run_id: number },
  raw: string,
  header: RecordedHeader | null,
  settings: { delimiter: string; emailEncoding?: string; body?: string }
): Promise<SourceView> {
  if (entry.source_kind === 'transaction') return csvView(raw, header, entry.run_id, settings.delimiter)
  if (/\.json$/i.test(entry.source_file)) return { kind: 'text', note: 'an element of a mailbox JSON export: shown as received' }
  return emailView(raw, { encoding: settings.emailEncoding, body: settings.body })
}
