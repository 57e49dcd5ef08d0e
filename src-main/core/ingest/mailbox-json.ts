// Mailbox export: a JSON array of {message_id, vendor, subject, body, severity_hint, created_at}.
import type { RawRecord } from '../model.js'
import type { FileTap } from './bytes.js'
import type { EmailOptions } from './email.js'

const EXPORT_FIELDS = ['message_id', 'vendor', 'subject', 'body', 'severity_hint', 'created_at'] as const

export async function* readMailboxJson(tap: FileTap, displayName: string, _opts: EmailOptions = {}): AsyncGenerator<RawRecord> {
  const parts: Buffer[] = []
  for await (const c of tap.chunks()) parts.push(c)
  const text = Buffer.concat(parts).toString('utf8')
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
