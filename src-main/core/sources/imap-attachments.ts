// CSV attachments of a mailbox's messages (attachments: csv): each is read as a transaction export, and its
// records are located in the message ("uid <n> <file name> line <l>").
import type { MessageStructureObject } from 'imapflow'
import { simpleParser } from 'mailparser'
import type { RawRecord } from '../model.js'
import { bytesTap } from '../ingest/bytes.js'
import { readTransactionsCsv, type CsvOptions } from '../ingest/csv.js'

const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'text/x-csv', 'application/x-csv'])

export async function csvAttachments(bytes: Buffer, label: string, locator: string, csv: CsvOptions): Promise<RawRecord[]> {
  const out: RawRecord[] = []
  let mail: Awaited<ReturnType<typeof simpleParser>>
  try {
    mail = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true })
  } catch {
    return out // the message's own record already says it cannot be read
  }
  let n = 0
  for (const a of mail.attachments) {
    n++
    if (!isCsv(a.contentType, a.filename)) continue
    const name = a.filename ?? `attachment ${n}`
    for await (const r of readTransactionsCsv(bytesTap(a.content), label, csv))
      out.push({ ...r, origin: { file: label, locator: `${locator} ${name} line ${r.origin.locator}` } })
  }
  return out
}

export function hasCsvPart(node: MessageStructureObject): boolean {
  if (node.childNodes?.length) return node.childNodes.some(hasCsvPart)
  const name = node.dispositionParameters?.filename ?? node.parameters?.name
  return isCsv(node.type, name)
}

function isCsv(type: string | undefined, filename: string | undefined | null): boolean {
  return CSV_TYPES.has((type ?? '').toLowerCase()) || /\.csv$/i.test(filename ?? '')
}
